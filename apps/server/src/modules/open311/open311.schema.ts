import { z } from 'zod';

// Parameters of GeoReport v2. Empty parameters count as absent (clients often send `status=&…`).

const absentIfEmpty = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const opt = <T extends z.ZodType>(s: T) => z.preprocess(absentIfEmpty, s.optional());
const text = (max: number) => opt(z.string().trim().max(max));

export const requestsQuery = z.object({
  service_request_id: text(20_000),
  service_code: text(2000),
  start_date: opt(z.coerce.date()),
  end_date: opt(z.coerce.date()),
  status: text(40),
  jurisdiction_id: text(200),
});

export const postBody = z.object({
  api_key: text(200),
  jurisdiction_id: text(200),
  service_code: z.preprocess(absentIfEmpty, z.string().trim().min(1).max(100)),
  lat: opt(z.coerce.number().min(-90).max(90)),
  long: opt(z.coerce.number().min(-180).max(180)),
  address_string: text(500),
  address_id: text(200),
  // the 4,000-character limit is checked after the key, so a keyless client hears 403 first
  description: opt(z.string().max(100_000)),
  media_url: opt(z.string().trim().max(2000).url()),
  first_name: text(100),
  last_name: text(100),
  email: opt(z.string().trim().max(200).email()),
  phone: text(40),
  device_id: text(200),
  account_id: text(200),
});

export const fileParam = z.object({ file: z.string().max(200) });

export const keyBody = z.object({ name: z.string().trim().min(1).max(100) });
export const keyIdParam = z.object({ id: z.string().max(64) });
export const keySchema = z.object({ id: z.string(), name: z.string(), createdBy: z.string().nullable(), createdAt: z.string(), revokedAt: z.string().nullable() });
export const createdKeySchema = keySchema.extend({ key: z.string() });
