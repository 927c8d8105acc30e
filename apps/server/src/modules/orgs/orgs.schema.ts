import { z } from 'zod';
import { optionalString, pageOf, pageQuery } from '../../platform/pagination.js';

export const idParam = z.object({ id: z.string().regex(/^\d{1,18}$/) });
export const treeQuery = z.object({ parentId: z.preprocess((v) => (v === '' ? undefined : v), z.string().regex(/^\d{1,18}$/).optional()) });
export const treeNode = z.object({ id: z.string(), parentId: z.string().nullable(), name: z.string(), kind: z.string(), hasChildren: z.boolean() });

export const orgListQuery = z.object({
  q: optionalString(100),
  kind: optionalString(40),
  parentId: treeQuery.shape.parentId,
  ...pageQuery,
});

export const orgSchema = z.object({
  id: z.string(),
  parentId: z.string().nullable(),
  name: z.string(),
  kind: z.string(),
  domain: z.string().nullable(),
  placeId: z.string().nullable(),
  foundedOn: z.string().nullable(),
  path: z.array(z.object({ id: z.string(), name: z.string(), kind: z.string() })).optional(),
  can: z.object({ edit: z.boolean() }),
});
export const orgPage = pageOf(orgSchema);
