import { sql } from 'kysely';
import type { Database } from '../../db/database.js';
import { can } from '../../platform/access.js';
import { auditInStatement } from '../../platform/audit.js';
import { sha256 } from '../../platform/crypto.js';
import { notifyInStatement, publishMany } from '../../platform/events.js';
import { caseStepNotificationsInStatement } from '../notifications/notifications.service.js';
import { GRID_VERSION_KEY, type GridLocation } from '../places/geo-index.js';
import { isSystem, whoOf, type Caller } from './cases.caller.js';
import type { CaseInput } from './cases.intake.js';
import type { CaseIds } from './cases.numbers.js';
import { runPrepared, type IntakeCategory } from './cases.repo.js';
import { stepsInStatement, type StepOf } from './cases.timeline.js';

// Writing new cases (the intake's last step). Cases reported while this process's previous write is
// still with the database are written together, in one statement: one commit, one audit-chain append
// for all of them. Alone, a case is written at once (no waiting for company). A batch the database
// refuses is written again case by case, so that a bad case fails alone.

/** A case ready to be written: routed, numbered, with what this process read of its category and grids. */
export interface CaseWrite {
  input: CaseInput;
  category: IntakeCategory;
  located: GridLocation;
  /** the grids' version the routing index was built from */
  gridStamp: string;
  ids: CaseIds;
  caller: Caller;
  anonymous: boolean;
  trackingCode: string | null;
  /** who is told of the report (the reporting account, if any) */
  audience: string[];
  at: Date;
}

/** At most this many cases in one statement. */
const MAX_BATCH = 64;

type Waiting = { w: CaseWrite; resolve: (written: boolean) => void; reject: (err: unknown) => void };
// One write in flight per process: measured on the city (10 connections, PostgreSQL), 1,035 cases/s
// against 953 with two writes in flight and 929 with three — bigger batches share more of the work,
// and the audit chain's lock lets one write commit at a time anyway.
type Queue = { waiting: Waiting[]; busy: boolean };
const queues = new WeakMap<Database, Queue>();

/**
 * Writes the case, with others reported meanwhile (see writeCases): true when written; false when
 * the category or the grids are no longer as this process read them, and then nothing of it was.
 */
export function writeCase(database: Database, w: CaseWrite): Promise<boolean> {
  let q = queues.get(database);
  if (!q) queues.set(database, (q = { waiting: [], busy: false }));
  const queue = q;
  return new Promise((resolve, reject) => {
    queue.waiting.push({ w, resolve, reject });
    if (!queue.busy) void drain(database, queue);
  });
}

async function drain(database: Database, q: Queue): Promise<void> {
  q.busy = true;
  try {
    while (q.waiting.length > 0) await writeBatch(database, q.waiting.splice(0, MAX_BATCH));
  } finally {
    q.busy = false;
  }
}

async function writeBatch(database: Database, batch: Waiting[]): Promise<void> {
  try {
    const written = await writeCases(database, batch.map((b) => b.w));
    for (const b of batch) b.resolve(written);
  } catch (err) {
    // The statement failed as a whole (the database said so: nothing of it was written). One bad
    // case fails its companions too, so each is written alone: only the bad one fails.
    const rolledBack = typeof (err as { code?: unknown } | null)?.code === 'string';
    if (batch.length === 1 || !rolledBack) {
      for (const b of batch) b.reject(err);
      return;
    }
    for (const b of batch) {
      try {
        b.resolve(await writeCases(database, [b.w]));
      } catch (alone) {
        b.reject(alone);
      }
    }
  }
}

/**
 * The cases, their first timeline entries, the reporters' notifications, the live events and,
 * evaluated last, the audit entries, in one statement (its own transaction): nothing of it waits for
 * this process between the audit chain's lock and the commit. Only while the categories and the
 * grids are as this process read them (`ok`); false when they are not, and then nothing was written.
 */
export async function writeCases(database: Database, writes: readonly CaseWrite[]): Promise<boolean> {
  const { db } = database;
  const steps = writes.map((w) => stepOf(w));
  const onlyIf = sql<boolean>`EXISTS (SELECT 1 FROM ok)`;
  const written = stepsInStatement(steps, writes.map((w) => w.ids.timelineId), onlyIf);
  const notices = caseStepNotificationsInStatement(written.notices);
  const notificationIds = writes.flatMap((w) => w.ids.notificationIds);
  if (notices.count !== notificationIds.length) throw new Error('writeCases: notification ids do not match the audiences');
  const notifications = notices.withIds(notificationIds, onlyIf);
  const events = [...notifications.events, ...written.live];
  const rows = writes.map(rowOf);
  const columns = sql.join(Object.keys(rows[0]!).map((k) => sql.ref(k)));
  // what of each category the cases took, and the versions of the grids they were routed by
  const categories = [...new Map(writes.map(({ category: k, anonymous }) => [`${k.id}/${anonymous}`, { id: String(k.id), code: k.code, default_priority: k.default_priority, anonymous }])).values()];
  const stamps = [...new Set(writes.map((w) => w.gridStamp))];
  const notify = notifyInStatement(db, events);
  const result = await runPrepared(database, sql`
    WITH ok AS (
      SELECT 1 WHERE coalesce((SELECT v.value FROM platform_meta v WHERE v.key = ${GRID_VERSION_KEY}), '0') = ALL(${stamps}::text[])
        AND NOT EXISTS (
          SELECT 1 FROM jsonb_to_recordset(${JSON.stringify(categories)}::jsonb) AS w(id bigint, code text, default_priority text, anonymous boolean)
          LEFT JOIN case_categories k ON k.id = w.id AND k.code = w.code AND k.default_priority = w.default_priority
            AND k.active AND (k.anonymous_allowed OR NOT w.anonymous)
          WHERE k.id IS NULL)),
    c AS (INSERT INTO cases (${columns}) SELECT ${columns} FROM jsonb_populate_recordset(NULL::cases, ${JSON.stringify(rows)}::jsonb) WHERE ${onlyIf} RETURNING id),
    e AS (${written.insert} RETURNING id)
    ${notifications.insert ? sql`, n AS (${notifications.insert} RETURNING id)` : sql``}
    SELECT ${auditInStatement(written.audit)} AS seq${notify ? sql`, ${notify} AS notified` : sql``}
    -- the writes first (this filter reads them), the audit entries after
    WHERE (SELECT count(*) FROM c) + (SELECT count(*) FROM e)${notifications.insert ? sql` + (SELECT count(*) FROM n)` : sql``} > 0`);
  if (result.length === 0) return false;
  // where events do not travel with the statement (PGlite), they go now that it has committed
  if (!notify) await publishMany(db, events);
  return true;
}

function stepOf(w: CaseWrite): StepOf {
  const { input, category, located, anonymous } = w;
  return {
    who: whoOf(w.caller),
    c: { id: w.ids.caseId, number: w.ids.number },
    step: {
      action: 'report', to: 'received', level: 'grid', attachments: input.attachments, at: w.at, audience: w.audience,
      details: { category: category.code, source: anonymous ? 'resident' : input.source, grid: located.gridName, anonymous, ...(input.sourceRef ? { sourceRef: input.sourceRef } : {}) },
    },
  };
}

function rowOf(w: CaseWrite) {
  const { input, category, located, ids, anonymous } = w;
  const system = isSystem(w.caller);
  const actor = isSystem(w.caller) ? null : w.caller.actor;
  return {
    id: ids.caseId,
    number: ids.number,
    category_id: String(category.id),
    description: input.description,
    lng: input.lng,
    lat: input.lat,
    address: input.address ?? '',
    grid_id: located.gridId,
    community_id: located.communityId ?? null,
    street_id: located.streetId ?? null,
    district_id: located.districtId ?? null,
    source: anonymous ? 'resident' : input.source,
    source_ref: input.sourceRef ?? null,
    reporter_account_id: actor?.id ?? null,
    reporter_label: system ? whoOf(w.caller).name : null,
    tracking_code_hash: w.trackingCode ? sha256(w.trackingCode) : null,
    // residents do not rank their own reports: command (or a trusted system) sets the priority
    priority: (input.priority && (system || can(actor, 'cases:command')) ? input.priority : null) ?? category.default_priority,
    owner_place_id: located.gridId,
    owner_level: 'grid',
    level: 'grid',
    level_place_id: located.gridId,
    attachments: input.attachments ?? [],
    created_at: w.at.toISOString(),
    updated_at: w.at.toISOString(),
  };
}
