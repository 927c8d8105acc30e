import { z } from 'zod';
import { ORG_DOMAINS, ORG_KINDS } from '@tongxin/contracts';
import { emptyAsUndefined, optionalString, pageOf, pageQuery } from '../../platform/pagination.js';
import { COMMITTEE_ROLES } from './orgs.committee.js';

const bigId = z.string().regex(/^\d{1,18}$/);
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/).describe('YYYY-MM-DD');
const optDate = z.preprocess(emptyAsUndefined, date.nullable().optional());
const kind = z.enum(Object.keys(ORG_KINDS) as [string, ...string[]]);
const domain = z.preprocess(emptyAsUndefined, z.enum(Object.keys(ORG_DOMAINS) as [string, ...string[]]).nullable().optional());

export const idParam = z.object({ id: bigId });
export const treeQuery = z.object({ parentId: z.preprocess(emptyAsUndefined, bigId.optional()) });
export const treeNode = z.object({ id: z.string(), parentId: z.string().nullable(), name: z.string(), kind: z.string(), hasChildren: z.boolean() });

export const orgListQuery = z.object({
  q: optionalString(100),
  kind: z.preprocess(emptyAsUndefined, kind.optional()),
  domain: z.preprocess(emptyAsUndefined, z.enum(Object.keys(ORG_DOMAINS) as [string, ...string[]]).optional()),
  status: z.preprocess(emptyAsUndefined, z.enum(['active', 'abolished', 'merged']).default('active')),
  parentId: treeQuery.shape.parentId.describe('limit to this subtree'),
  sort: optionalString(40),
  ...pageQuery,
});

const orgFields = {
  name: z.string().trim().min(2).max(100),
  domain,
  code: z.preprocess(emptyAsUndefined, z.string().trim().max(40).nullable().optional()),
  placeId: z.preprocess(emptyAsUndefined, bigId.nullable().optional()),
  foundedOn: optDate,
  termStartedOn: optDate,
  termYears: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(10).nullable().optional()),
  contactPhone: z.preprocess(emptyAsUndefined, z.string().trim().max(30).nullable().optional()),
  note: z.string().max(2000).optional(),
};
export const foundBody = z.object({ parentId: bigId, kind, ...orgFields });
export const updateBody = z.object({ ...orgFields, name: orgFields.name.optional() });
export const moveBody = z.object({ parentId: bigId, reason: z.string().max(500).default('') });
export const mergeBody = z.object({ intoId: bigId, reason: z.string().max(500).default('') });
export const abolishBody = z.object({ reason: z.string().trim().min(1).max(500), on: optDate });
export const committeeBody = z.object({
  memberId: z.preprocess(emptyAsUndefined, bigId.nullable().optional()),
  name: z.string().trim().min(1).max(50),
  role: z.enum(COMMITTEE_ROLES),
  termStart: date,
  termEnd: optDate,
});
export const endCommitteeBody = z.object({ endedOn: date });

const orgCanSchema = z.object({ edit: z.boolean(), found: z.boolean(), move: z.boolean(), merge: z.boolean(), abolish: z.boolean(), manageCommittee: z.boolean() });
export const orgSchema = z.object({
  id: z.string(),
  parentId: z.string().nullable(),
  name: z.string(),
  kind: z.string(),
  domain: z.string().nullable(),
  code: z.string().nullable(),
  status: z.string(),
  placeId: z.string().nullable(),
  foundedOn: z.string().nullable(),
  abolishedOn: z.string().nullable(),
  termStartedOn: z.string().nullable(),
  termYears: z.number().nullable(),
  termEndsOn: z.string().nullable(),
  ownMembers: z.number(),
  subtreeMembers: z.number(),
  children: z.number(),
  can: orgCanSchema,
});
export const orgDetail = orgSchema.extend({
  contactPhone: z.string().nullable(),
  note: z.string(),
  mergedInto: z.object({ id: z.string(), name: z.string() }).nullable(),
  place: z.object({ id: z.string(), name: z.string(), kind: z.string() }).nullable(),
  path: z.array(z.object({ id: z.string(), name: z.string(), kind: z.string() })),
  committee: z.array(z.object({ id: z.string(), memberId: z.string().nullable(), name: z.string(), role: z.string(), termStart: z.string(), termEnd: z.string().nullable(), endedOn: z.string().nullable() })),
});
export const orgPage = pageOf(orgSchema);

export const statsSchema = z.object({
  orgId: z.string(),
  orgs: z.object({ total: z.number(), byKind: z.record(z.string(), z.number()), byDomain: z.record(z.string(), z.number()) }),
  members: z.object({ total: z.number(), byStatus: z.record(z.string(), z.number()), byCategory: z.record(z.string(), z.number()) }),
  own: z.object({ members: z.number(), byStatus: z.record(z.string(), z.number()), children: z.number() }),
});
