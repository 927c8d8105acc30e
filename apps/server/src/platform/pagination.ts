import { z } from 'zod';

/** Query parameters every list takes; empty strings count as absent. */
export const pageQuery = {
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
};

export const emptyAsUndefined = (v: unknown) => (v === '' ? undefined : v);
export const optionalString = (max = 200) => z.preprocess(emptyAsUndefined, z.string().trim().max(max).optional());

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export const pageOf = <T extends z.ZodTypeAny>(item: T) =>
  z.object({ items: z.array(item), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() });

/** Parses `sort=field` / `sort=-field` against an allow-list of sortable fields. */
export function parseSort<F extends string>(sort: string | undefined, allowed: readonly F[], fallback: F, fallbackDir: 'asc' | 'desc' = 'asc') {
  if (sort) {
    const desc = sort.startsWith('-');
    const field = (desc ? sort.slice(1) : sort) as F;
    if (allowed.includes(field)) return { field, dir: desc ? ('desc' as const) : ('asc' as const) };
  }
  return { field: fallback, dir: fallbackDir };
}

export const errorResponse = z.object({
  error: z.object({ code: z.string(), message: z.string(), params: z.record(z.string(), z.unknown()), fields: z.record(z.string(), z.string()).optional() }),
});
