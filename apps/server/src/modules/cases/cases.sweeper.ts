import { sql } from 'kysely';
import type { Database, Tx } from '../../db/database.js';
import type { CaseDeadlinesTable, CaseWhistlesTable } from '../../db/types.js';
import type { Selectable } from 'kysely';
import type { Who } from './cases.caller.js';
import { levelAbove, type CaseRow } from './cases.repo.js';
import { recordSteps, type StepOf } from './cases.timeline.js';
import { RUNNING_STATES } from './cases.workflow.js';

// The deadline sweeper (CASE-4). Due rows of case_deadlines are taken in batches with
// SELECT … FOR UPDATE SKIP LOCKED, so several server instances on one PostgreSQL never act on the
// same deadline twice; each batch commits with its case changes, timeline and audit entries.
//   case_due:       an overdue case escalates one level by itself and gets a yellow card
//   case_red:       overdue by `redCardFactor` times its deadline: a red card
//   whistle_report: a department that has not reported in time is marked overdue
// A batch is set-based: the rows are decided in memory, in order (a case with two due rows in one
// batch sees the first one's change), then written with a handful of statements whatever its size.

export interface SweepResult {
  processed: number;
  escalated: number;
  yellow: number;
  red: number;
  whistlesOverdue: number;
  moot: number;
}

/**
 * Deadline rows taken per transaction. On PostgreSQL two workers' batches of 500 overlap. PGlite
 * runs one batch at a time, and each statement there costs about 2 ms besides its rows (planning in
 * WebAssembly): batches of 2,000 took a 10,000-row sweep from 1.7 to 1.45 s (100: 2.5 s).
 */
export const defaultSweepBatch = (engine: Database['engine']) => (engine === 'pglite' ? 2000 : 500);

const SWEEPER: Who = { id: null, name: 'system:sweeper', ip: null };
type Deadline = Selectable<CaseDeadlinesTable>;
type Whistle = Selectable<CaseWhistlesTable>;
/** What the sweeper reads of a case (with its deadline rows, in the same statement). */
type SweptCase = Pick<CaseRow, 'id' | 'number' | 'state' | 'card' | 'level' | 'level_place_id' | 'due_at' | 'red_at' | 'grid_id' | 'community_id' | 'street_id'>;

/** What one batch writes, gathered while its rows are decided. */
interface BatchWrites {
  steps: StepOf[];
  changedCases: Map<string, SweptCase>;
  overdueWhistles: string[];
  outcomes: { id: string; outcome: string }[];
}

/** Decides one deadline row against the case as earlier rows of the batch left it (no statements). */
function decide(d: Deadline, c: SweptCase, whistles: Map<string, Whistle>, now: Date, result: SweepResult, out: BatchWrites): string {
  const running = RUNNING_STATES.includes(c.state as never);
  const ref = { id: String(c.id), number: c.number };
  if (d.kind === 'whistle_report') {
    const w = whistles.get(String(d.whistle_id));
    if (!w || w.reported_at || w.result_at) return 'moot';
    w.report_overdue = true;
    out.overdueWhistles.push(String(w.id));
    out.steps.push({ who: SWEEPER, c: ref, step: { action: 'whistle_overdue', level: c.level, departmentId: String(w.department_id), whistleId: String(w.id), at: now, details: { kind: w.kind, dueAt: w.report_due_at.toISOString() } } });
    result.whistlesOverdue += 1;
    return 'overdue';
  }
  const current = d.kind === 'case_due' ? c.due_at : c.red_at;
  if (!running || !current || current.getTime() !== d.due_at.getTime()) return 'moot';
  if (d.kind === 'case_red') {
    if (c.card === 'red') return 'moot';
    out.steps.push({ who: SWEEPER, c: ref, step: { action: 'overdue_red', from: c.state, to: c.state, level: c.level, at: now, details: { card: 'red', redAt: d.due_at.toISOString() } } });
    c.card = 'red';
    out.changedCases.set(ref.id, c);
    result.red += 1;
    return 'red';
  }
  const up = levelAbove(c);
  const card = c.card === 'red' ? 'red' : 'yellow';
  const to = up ? 'dispatched' : c.state;
  out.steps.push({
    who: SWEEPER, c: ref,
    step: { action: up ? 'overdue_escalate' : 'overdue_yellow', from: c.state, to, level: up?.level ?? c.level, at: now, details: { card, dueAt: d.due_at.toISOString(), ...(up ? { fromLevel: c.level } : {}) } },
  });
  Object.assign(c, { card, state: to, ...(up ? { level: up.level, level_place_id: up.placeId } : {}) });
  out.changedCases.set(ref.id, c);
  if (up) result.escalated += 1;
  if (card === 'yellow') result.yellow += 1;
  return up ? 'escalated' : 'yellow';
}

/** Writes a decided batch: cases, whistles and deadline rows, then the steps (timeline, notifications, audit last). */
async function writeBatch(trx: Tx, out: BatchWrites, now: Date): Promise<void> {
  if (out.changedCases.size) {
    const rows = [...out.changedCases.values()].map((c) => ({ id: String(c.id), card: c.card, state: c.state, level: c.level, level_place_id: c.level_place_id === null ? null : String(c.level_place_id) }));
    await sql`
      UPDATE cases AS c SET card = r.card, state = r.state, level = r.level, level_place_id = r.level_place_id, updated_at = ${now}
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(id bigint, card text, state text, level text, level_place_id bigint)
      WHERE c.id = r.id`.execute(trx);
  }
  if (out.overdueWhistles.length) {
    await sql`UPDATE case_whistles SET report_overdue = true WHERE id = ANY(${out.overdueWhistles}::bigint[])`.execute(trx);
  }
  if (out.outcomes.length) {
    await sql`
      UPDATE case_deadlines AS d SET processed_at = ${now}, outcome = r.outcome
      FROM jsonb_to_recordset(${JSON.stringify(out.outcomes)}::jsonb) AS r(id bigint, outcome text)
      WHERE d.id = r.id`.execute(trx);
  }
  // last: the audit entries go with the COMMIT (see recordSteps)
  await recordSteps(trx, out.steps, { commit: true });
}

/** Workers per sweep on PostgreSQL: one batch's statements overlap the next batch's work here. */
export const DEFAULT_SWEEP_WORKERS = 2;

/**
 * Processes every deadline due at `now`, batch by batch; returns what it did. A deadline row is taken
 * only together with its case, and neither is waited for (FOR UPDATE … SKIP LOCKED on both): a case
 * locked by a request is left for the next sweep, so a sweeper never takes part in a lock cycle.
 * Workers first take the batches listed ahead (the due rows' ids in deadline order), then search the
 * due rows batch by batch until a batch finds nothing left; a row passed over because another worker
 * or instance held its case is then found by that one, which searches again after its own commit. On
 * PostgreSQL a few workers take batches side by side (SKIP LOCKED keeps them apart, as it keeps
 * instances apart); rows of one case still go in deadline order, as a later row is passed over
 * while an earlier one holds the case.
 */
export async function sweepOnce(deps: { database: Database }, now: Date = new Date(), opts: { batchSize?: number; workers?: number; plannedBatches?: number } = {}): Promise<SweepResult> {
  const { db, engine } = deps.database;
  const size = opts.batchSize ?? defaultSweepBatch(engine);
  // PGlite has one connection: workers would only queue for it
  const workers = engine === 'pglite' ? 1 : Math.max(1, opts.workers ?? DEFAULT_SWEEP_WORKERS);
  // PGlite is one session, whose socket server runs a transaction's statements with no other
  // client's in between: transactions there never overlap, and row locks would only cost writes
  const lock = engine !== 'pglite';
  const result: SweepResult = { processed: 0, escalated: 0, yellow: 0, red: 0, whistlesOverdue: 0, moot: 0 };
  // The due rows are listed once, in order, and handed out in batches that lock their rows by id.
  // Searching the pending index for each batch instead walks, batch after batch, the index entries
  // of rows processed moments ago (still there until a vacuum): a sweep took a fifth longer so.
  const listed = opts.plannedBatches ?? PLANNED_BATCHES;
  const planned = await plannedBatches(db, now, size, listed);
  // nothing due (most sweeps): no worker needs to search
  if (listed > 0 && planned.length === 0) return result;
  const worker = async () => {
    for (let ids = planned.shift(); ids; ids = planned.shift()) await sweepBatch(db, lock, now, size, result, ids);
    // then what the list left: rows passed over while a request or another instance held their
    // case, and rows beyond the list
    while ((await sweepBatch(db, lock, now, size, result)) > 0);
  };
  // all workers end before the sweep does, even when one fails (the next sweep must not overlap it)
  const ended = await Promise.allSettled(Array.from({ length: workers }, worker));
  const failed = ended.find((e): e is PromiseRejectedResult => e.status === 'rejected');
  if (failed) throw failed.reason;
  return result;
}

/** Batches listed ahead per sweep; rows beyond them are found by searching, batch by batch. */
const PLANNED_BATCHES = 100;

/** Batches of the due rows' ids, in deadline order (at most `count` of them). */
async function plannedBatches(db: Database['db'], now: Date, size: number, count: number): Promise<string[][]> {
  const { rows } = await sql<{ id: string }>`
    SELECT id FROM case_deadlines WHERE processed_at IS NULL AND due_at <= ${now} ORDER BY due_at, id LIMIT ${size * count}`.execute(db);
  const batches: string[][] = [];
  for (let i = 0; i < rows.length; i += size) batches.push(rows.slice(i, i + size).map((r) => String(r.id)));
  return batches;
}

/**
 * One batch in one transaction: takes, decides and writes up to `size` due rows — those listed in
 * `ids`, else the first ones due — and returns how many.
 */
async function sweepBatch(db: Database['db'], lock: boolean, now: Date, size: number, result: SweepResult, ids?: string[]): Promise<number> {
  return db.transaction().execute(async (trx) => {
    // the deadline rows with what is needed of their cases, both locked (PostgreSQL); a row is still
    // due when its lock is granted (processed meanwhile by another instance, it no longer matches)
    const { rows } = await sql<Deadline & { [K in keyof SweptCase as `c_${K & string}`]: SweptCase[K] }>`
      SELECT d.*, c.id AS c_id, c.number AS c_number, c.state AS c_state, c.card AS c_card, c.level AS c_level, c.level_place_id AS c_level_place_id,
             c.due_at AS c_due_at, c.red_at AS c_red_at, c.grid_id AS c_grid_id, c.community_id AS c_community_id, c.street_id AS c_street_id
      FROM case_deadlines d JOIN cases c ON c.id = d.case_id
      WHERE d.processed_at IS NULL AND d.due_at <= ${now}${ids ? sql` AND d.id = ANY(${ids}::bigint[])` : sql``}
      ORDER BY d.due_at, d.id
      LIMIT ${size}
      ${lock ? sql`FOR UPDATE OF d, c SKIP LOCKED` : sql``}`.execute(trx);
    if (rows.length === 0) return 0;
    // one object per case: a second row of the same case sees what the first one changed
    const cases = new Map<string, SweptCase>();
    for (const r of rows) {
      if (!cases.has(String(r.c_id))) {
        cases.set(String(r.c_id), {
          id: r.c_id, number: r.c_number, state: r.c_state, card: r.c_card, level: r.c_level, level_place_id: r.c_level_place_id,
          due_at: r.c_due_at, red_at: r.c_red_at, grid_id: r.c_grid_id, community_id: r.c_community_id, street_id: r.c_street_id,
        });
      }
    }
    const whistleIds = [...new Set(rows.filter((d) => d.kind === 'whistle_report' && d.whistle_id !== null).map((d) => String(d.whistle_id)))];
    const whistles = new Map(
      whistleIds.length
        ? (await trx.selectFrom('case_whistles').selectAll().where(sql<boolean>`id = ANY(${whistleIds}::bigint[])`).orderBy('id').$if(lock, (q) => q.forUpdate()).execute()).map((w) => [String(w.id), w])
        : [],
    );
    const out: BatchWrites = { steps: [], changedCases: new Map(), overdueWhistles: [], outcomes: [] };
    for (const d of rows) {
      const outcome = decide(d, cases.get(String(d.case_id))!, whistles, now, result, out);
      if (outcome === 'moot') result.moot += 1;
      out.outcomes.push({ id: String(d.id), outcome });
      result.processed += 1;
    }
    await writeBatch(trx, out, now);
    return rows.length;
  });
}

export interface SweeperHandle {
  stop(): Promise<void>;
}

/** Sweeps every `intervalMs` until stopped; one sweep at a time per instance; errors are logged, not fatal. */
export function startCaseSweeper(deps: { database: Database }, intervalMs: number, log: { error(obj: unknown, msg: string): void; info?(obj: unknown, msg: string): void }): SweeperHandle {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = () => {
    running = sweepOnce(deps)
      .then((r) => {
        if (r.processed > 0) log.info?.({ sweep: r }, 'case deadlines swept');
      })
      .catch((err) => log.error({ err }, 'case deadline sweep failed'))
      .finally(() => {
        running = null;
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  timer = setTimeout(tick, intervalMs);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
