import { sql } from 'kysely';
import type { Database } from '../../db/database.js';
import { nextNotificationId } from '../notifications/notifications.service.js';
import { runPrepared } from './cases.repo.js';
import { chinaDay } from './cases.rules.js';
import { nextTimelineId } from './cases.timeline.js';

// A new case's number of the day (AJ20261123-0001, from the day's case_counters row) and the ids of
// its rows (the case, its first timeline entry, the reporter's notification), known before the case
// is written: its audit entry, hashed in the same statement, names them.
//
// They are reserved in blocks per process, so that an intake is one statement. A block holds one
// number while cases arrive slowly — numbers then follow the order of the cases exactly, as with a
// counter read per case — and doubles (up to MAX_BLOCK) each time a block is used up within
// QUICK_MS, i.e. only under a burst. What that costs: with several instances under a burst, the
// numbers of cases reported in the same second are not in the order of their arrival; and numbers
// still unused when the day ends or the process stops are given back only where they end our last
// block and no other instance has taken numbers since (else they stay a gap in the day's numbers).
// Should a number come round again all the same (the counter set back under a running server), the
// case's write is refused by the unique number, and createCase forgets the blocks and tries again.

export interface CaseIds { number: string; caseId: string; timelineId: string; notificationIds: string[] }

const MAX_BLOCK = 32;
const QUICK_MS = 250;

interface Blocks {
  day: string;
  /** unused numbers of `day`, ascending */
  numbers: number[];
  /** the day's counter as our last reservation left it: the end of our last block */
  last: number;
  cases: string[];
  timeline: string[];
  notifications: string[];
  size: number;
  usedUpAt: number;
  reservedAt: number;
  pending: Promise<void> | null;
}

const blocksOf = new WeakMap<Database, Blocks>();
const stateOf = (database: Database): Blocks => {
  let b = blocksOf.get(database);
  if (!b) {
    b = { day: '', numbers: [], last: 0, cases: [], timeline: [], notifications: [], size: 1, usedUpAt: 0, reservedAt: 0, pending: null };
    blocksOf.set(database, b);
  }
  return b;
};

const dayOf = (at: Date) => chinaDay(at).replace(/-/g, '');
const caseNumber = (day: string, n: number) => `AJ${day}-${String(n).padStart(4, '0')}`;

/** The number and ids of a new case reported at `at`, with `notifications` notification ids. */
export async function takeCaseIds(database: Database, at: Date, notifications: number): Promise<CaseIds> {
  const b = stateOf(database);
  const day = dayOf(at);
  for (;;) {
    if (b.day === day && b.numbers.length > 0 && b.cases.length > 0 && b.timeline.length > 0 && b.notifications.length >= notifications) {
      const n = b.numbers.shift()!;
      if (b.numbers.length === 0) b.usedUpAt = performance.now();
      return { number: caseNumber(day, n), caseId: b.cases.shift()!, timelineId: b.timeline.shift()!, notificationIds: b.notifications.splice(0, notifications) };
    }
    // requests arriving meanwhile wait for the same reservation, then take from it
    b.pending ??= reserve(database, b, day, notifications).finally(() => {
      b.pending = null;
    });
    await b.pending;
  }
}

/** Numbers and ids taken for a case that was not written after all (nothing of it was): the next case takes them. */
export function returnCaseIds(database: Database, ids: CaseIds): void {
  const b = stateOf(database);
  const [day, n] = [ids.number.slice(2, 10), Number(ids.number.slice(11))];
  if (day === b.day) {
    // in order among the others (cases of one batch may come back in any order)
    const at = b.numbers.findIndex((x) => x > n);
    b.numbers.splice(at < 0 ? b.numbers.length : at, 0, n);
  }
  b.cases.unshift(ids.caseId);
  b.timeline.unshift(ids.timelineId);
  b.notifications.unshift(...ids.notificationIds);
}

/**
 * Forgets the reserved numbers and ids (not given back): after a case was refused because its number
 * or id was in use — the counter or a sequence set back under a running server, say a reset.
 */
export function forgetCaseIds(database: Database): void {
  const b = blocksOf.get(database);
  if (!b) return;
  Object.assign(b, { numbers: [], cases: [], timeline: [], notifications: [], size: 1 });
}

/** A write refused because a number or id reserved ahead was taken meanwhile (see forgetCaseIds). */
export function isTakenIdError(err: unknown): boolean {
  const e = err as { code?: unknown; constraint?: unknown } | null;
  return e?.code === '23505' && ['cases_number_key', 'cases_pkey', 'case_events_pkey', 'notifications_pkey'].includes(String(e.constraint));
}

async function reserve(database: Database, b: Blocks, day: string, notifications: number): Promise<void> {
  const now = performance.now();
  // a block used up soon after it was reserved: a burst, so a bigger block; a quiet spell: one again
  b.size = b.reservedAt > 0 && b.usedUpAt - b.reservedAt < QUICK_MS && now - b.usedUpAt < QUICK_MS ? Math.min(MAX_BLOCK, b.size * 2) : 1;
  if (b.day !== day) await giveBack(database, b);
  const k = b.size;
  const want = {
    numbers: b.day === day ? Math.max(0, k - b.numbers.length) : k,
    cases: Math.max(0, k - b.cases.length),
    timeline: Math.max(0, k - b.timeline.length),
    notifications: Math.max(0, Math.max(k, notifications) - b.notifications.length),
  };
  const rows = await runPrepared(database, sql<{ last: number | null; case_ids: string[]; timeline_ids: string[]; notification_ids: string[] }>`
    WITH counter AS (
      INSERT INTO case_counters (day, n) SELECT ${day}, ${want.numbers}::int WHERE ${want.numbers}::int > 0
      ON CONFLICT (day) DO UPDATE SET n = case_counters.n + EXCLUDED.n
      RETURNING n)
    SELECT (SELECT n FROM counter) AS last,
      ARRAY(SELECT nextval(pg_get_serial_sequence('cases', 'id'))::text FROM generate_series(1, ${want.cases}::int)) AS case_ids,
      ARRAY(SELECT ${nextTimelineId()}::text FROM generate_series(1, ${want.timeline}::int)) AS timeline_ids,
      ARRAY(SELECT ${nextNotificationId()}::text FROM generate_series(1, ${want.notifications}::int)) AS notification_ids
    -- Committed without waiting for the disk: a case written with these numbers commits later and
    -- waits, and the log is written in order, so the counter of a case that was kept is kept too.
    WHERE set_config('synchronous_commit', 'off', true) IS NOT NULL`);
  const r = rows[0]!;
  if (b.day !== day) {
    b.day = day;
    b.numbers = [];
  }
  if (r.last !== null) {
    const last = Number(r.last);
    for (let n = last - want.numbers + 1; n <= last; n++) b.numbers.push(n);
    b.last = last;
  }
  b.cases.push(...r.case_ids.map(String));
  b.timeline.push(...r.timeline_ids.map(String));
  b.notifications.push(...r.notification_ids.map(String));
  b.reservedAt = performance.now();
}

/**
 * The unused numbers that end our last block back to the day's counter, when they are its last (no
 * instance has taken numbers since): at the end of the day and when the server stops.
 */
async function giveBack(database: Database, b: Blocks): Promise<void> {
  const unused = b.numbers;
  b.numbers = [];
  // the run of unused numbers that ends with our last block (earlier ones stay a gap)
  let first = b.last + 1;
  for (let i = unused.length - 1; i >= 0 && unused[i] === first - 1; i--) first -= 1;
  if (b.day === '' || first > b.last) return;
  await sql`UPDATE case_counters SET n = ${first - 1} WHERE day = ${b.day} AND n = ${b.last}`.execute(database.db);
}

/** When the server stops: unused numbers back to the counter where they are its last. */
export async function releaseCaseIds(database: Database): Promise<void> {
  const b = blocksOf.get(database);
  if (!b) return;
  await b.pending?.catch(() => undefined);
  await giveBack(database, b);
}
