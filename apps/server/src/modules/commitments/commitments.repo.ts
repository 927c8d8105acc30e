import { sql, type Selectable } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { CommitmentFulfilmentsTable, CommitmentItemsTable, CommitmentsTable } from '../../db/types.js';

export type CommitmentRow = Selectable<CommitmentsTable>;
export type ItemRow = Selectable<CommitmentItemsTable>;
export type FulfilmentRow = Selectable<CommitmentFulfilmentsTable>;

export interface LoadedSet {
  row: CommitmentRow;
  items: (ItemRow & { fulfilments: FulfilmentRow[] })[];
}

/** Commitment sets with their items and fulfilment records, in three queries for any number of sets. */
export async function loadSets(ex: Executor, where: { memberId?: string; id?: string }): Promise<LoadedSet[]> {
  let q = ex.selectFrom('commitments').selectAll();
  if (where.memberId) q = q.where('member_id', '=', where.memberId);
  if (where.id) q = q.where('id', '=', where.id);
  const rows = await q.orderBy('year', 'desc').execute();
  if (rows.length === 0) return [];
  const items = await ex.selectFrom('commitment_items').selectAll().where('commitment_id', 'in', rows.map((r) => r.id)).orderBy('position').execute();
  const records = items.length ? await ex.selectFrom('commitment_fulfilments').selectAll().where('item_id', 'in', items.map((i) => i.id)).orderBy('id').execute() : [];
  return rows.map((row) => ({
    row,
    items: items.filter((i) => String(i.commitment_id) === String(row.id)).map((i) => ({ ...i, fulfilments: records.filter((f) => String(f.item_id) === String(i.id)) })),
  }));
}

export async function lockSet(ex: Executor, id: string) {
  return ex.selectFrom('commitments').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function setOfMemberYear(ex: Executor, memberId: string, year: number) {
  return ex.selectFrom('commitments').selectAll().where('member_id', '=', memberId).where('year', '=', year).forUpdate().executeTakeFirst();
}

export async function itemsOf(ex: Executor, commitmentId: string) {
  return ex.selectFrom('commitment_items').selectAll().where('commitment_id', '=', commitmentId).orderBy('position').execute();
}

export async function replaceItems(ex: Executor, commitmentId: string, texts: string[]) {
  await ex.deleteFrom('commitment_items').where('commitment_id', '=', commitmentId).execute();
  await ex.insertInto('commitment_items').values(texts.map((text, i) => ({ commitment_id: commitmentId, position: i + 1, text }))).execute();
}

export async function fulfilmentCount(ex: Executor, commitmentId: string): Promise<number> {
  const r = await ex
    .selectFrom('commitment_fulfilments as f')
    .innerJoin('commitment_items as i', 'i.id', 'f.item_id')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('i.commitment_id', '=', commitmentId)
    .executeTakeFirstOrThrow();
  return r.n;
}

export async function itemWithSet(ex: Executor, itemId: string) {
  return ex
    .selectFrom('commitment_items as i')
    .innerJoin('commitments as c', 'c.id', 'i.commitment_id')
    .select(['i.id', 'i.text', 'i.status', 'i.commitment_id', 'c.member_id', 'c.year'])
    .where('i.id', '=', itemId)
    .executeTakeFirst();
}

/** Members whose fulfilment records carry the file as evidence. */
export async function membersWithEvidence(ex: Executor, fileId: string): Promise<string[]> {
  const { rows } = await sql<{ member_id: string }>`
    SELECT DISTINCT c.member_id FROM commitment_fulfilments f
    JOIN commitment_items i ON i.id = f.item_id JOIN commitments c ON c.id = i.commitment_id
    WHERE f.evidence @> ARRAY[${fileId}]::text[] LIMIT 20`.execute(ex);
  return rows.map((r) => String(r.member_id));
}
