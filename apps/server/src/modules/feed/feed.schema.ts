import { FEED_KINDS } from '@tongxin/contracts';
import { z } from 'zod';
import { fileInfo } from '../files/files.schema.js';
import { emptyAsUndefined, optionalString, pageOf, pageQuery } from '../../platform/pagination.js';

const dbId = z.string().regex(/^\d{1,18}$/);
const fileId = z.string().uuid();
export const feedKind = z.enum(Object.keys(FEED_KINDS) as [keyof typeof FEED_KINDS, ...(keyof typeof FEED_KINDS)[]]);
const flag = z.preprocess((v) => (v === '' || v === undefined ? undefined : v === 'true' || v === '1' || v === true), z.boolean().optional());

export const idParam = z.object({ id: dbId });

export const myFeedQuery = z.object({
  before: z.preprocess(emptyAsUndefined, dbId.optional()).describe('items older than this id (the nextBefore of the previous page)'),
  limit: z.coerce.number().int().min(1).max(50).default(20),
  kind: z.preprocess(emptyAsUndefined, feedKind.optional()),
});
export const readBody = z.object({ upTo: dbId.optional().describe('mark read up to this item; the newest item of my feed when absent') });

export const orgFeedQuery = z.object({
  ...pageQuery,
  kind: z.preprocess(emptyAsUndefined, feedKind.optional()),
  q: optionalString(100),
  own: flag.describe('only items posted to this organisation (not those cascading into it from above)'),
});

export const noticeBody = z.object({
  title: z.string().trim().min(1).max(100),
  body: z.string().trim().max(5000).default(''),
  attachments: z.array(fileId).max(9).default([]).describe('ids of photos (POST /api/files) and documents (POST /api/files/documents) the caller uploaded'),
  cascade: z.boolean().default(false).describe('also reaches every organisation below'),
  internal: z.boolean().default(true).describe('only for members of the organisations it reaches'),
});

export const feedItemSchema = z.object({
  id: z.string(),
  orgId: z.string(),
  orgName: z.string(),
  kind: feedKind,
  title: z.string(),
  body: z.string(),
  attachments: z.array(z.string()),
  files: z.array(fileInfo).describe('the attachments: type, name (documents) and size, in order'),
  cascade: z.boolean(),
  internal: z.boolean(),
  authorName: z.string(),
  refType: z.string().nullable(),
  refId: z.string().nullable(),
  createdAt: z.string(),
  /** posted to an organisation above the one whose feed this is */
  inherited: z.boolean(),
});
export type FeedItemView = z.infer<typeof feedItemSchema>;

export const myFeedItemSchema = feedItemSchema.extend({ unread: z.boolean() });
export const myFeedPage = z.object({
  items: z.array(myFeedItemSchema),
  unread: z.number().int().describe('unread items in my whole feed'),
  readUpTo: z.string(),
  nextBefore: z.string().nullable().describe('pass as before for the next page; null on the last'),
});
export const readResult = z.object({ readUpTo: z.string(), unread: z.number().int() });

export const staffFeedItemSchema = feedItemSchema.extend({ can: z.object({ withdraw: z.boolean() }) });
export const orgFeedPage = pageOf(staffFeedItemSchema);

const person = z.object({ name: z.string(), role: z.string(), termStart: z.string(), termEnd: z.string().nullable() });
export const myBranchSchema = z.object({
  member: z.object({ id: z.string(), name: z.string() }),
  branch: z.object({ id: z.string(), name: z.string(), kind: z.string(), domain: z.string().nullable() }),
  secretary: person.nullable(),
  committee: z.array(person),
  /** the organisations above the branch, from the root down */
  above: z.array(z.object({ id: z.string(), name: z.string(), kind: z.string() })),
  memberCount: z.number().int(),
  unread: z.number().int().describe('unread items in my feed'),
});
