import type { Executor } from '../../db/database.js';
import { describeFiles, type FileInfo } from '../files/files.service.js';
import { orgNames } from '../orgs/orgs.service.js';
import type { FeedRow } from './feed.repo.js';
import type { FeedItemView } from './feed.schema.js';

/** Feed rows as the API shows them; `inherited` marks items posted to another organisation than `orgId`. */
export async function present(ex: Executor, rows: FeedRow[], orgId: string): Promise<FeedItemView[]> {
  const names = await orgNames(ex, [...new Set(rows.map((r) => String(r.org_id)))]);
  const files = await describeFiles(ex, rows.flatMap((r) => r.attachments));
  return rows.map((r) => ({
    id: String(r.id),
    orgId: String(r.org_id),
    orgName: names.get(String(r.org_id)) ?? '',
    kind: r.kind,
    title: r.title,
    body: r.body,
    attachments: r.attachments,
    files: r.attachments.map((id) => files.get(id)).filter((f): f is FileInfo => !!f),
    cascade: r.cascade,
    internal: r.internal,
    authorName: r.author_name,
    refType: r.ref_type,
    refId: r.ref_id,
    createdAt: r.created_at.toISOString(),
    inherited: String(r.org_id) !== orgId,
  }));
}
