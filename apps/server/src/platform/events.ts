import { EventEmitter } from 'node:events';
import { sql, type RawBuilder } from 'kysely';
import pg from 'pg';
import type { Database, Executor } from '../db/database.js';

// Live updates (PLAT-4). publish(ex, event) is called inside the transaction that made the change:
//   PostgreSQL: SELECT pg_notify('tongxin_events', json) — delivered to every instance's LISTEN
//               connection only if the transaction commits;
//   PGlite:     one server process, so an in-process emitter, fed once the transaction is known to
//               have committed (pg_xact_status of its transaction id, read on the pool after it).
// Payloads carry ids and types only (NOTIFY refuses payloads over 8,000 bytes).

export const EVENTS_CHANNEL = 'tongxin_events';

export type BusEvent =
  | { type: 'notification'; accountId: string; id: string }
  | { type: 'case'; caseId: string; number: string; action: string; eventId: string; to: string | null }
  | { type: 'feed'; orgId: string; itemId: string };

type Wire = BusEvent & { s: string };

export interface EventBus {
  readonly engine: Database['engine'];
  subscribe(fn: (e: BusEvent) => void): () => void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

interface Log {
  error(obj: unknown, msg: string): void;
  warn?(obj: unknown, msg: string): void;
}

interface BusInternals extends EventBus {
  database: Database;
  emit(e: BusEvent): void;
}

// The bus of a database, found from any executor on it (the dialect adapter is shared by a
// Kysely instance and its transactions).
const buses = new WeakMap<object, BusInternals>();
const adapterOf = (ex: Executor) => ex.getExecutor().adapter;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Publishes an event with the caller's transaction: it is delivered only if that transaction commits. */
export async function publish(ex: Executor, event: BusEvent): Promise<void> {
  await publishMany(ex, [event]);
}

/**
 * For a caller that writes everything in one statement: on PostgreSQL, an expression to embed in it
 * that sends the events with it (their count); null where events are published otherwise (PGlite:
 * call publishMany on the database once the statement has succeeded) or there is nobody to tell.
 */
export function notifyInStatement(ex: Executor, events: readonly BusEvent[]): RawBuilder<number> | null {
  const bus = buses.get(adapterOf(ex));
  if (!bus || bus.engine !== 'postgresql' || events.length === 0) return null;
  const wires = events.map((event) => JSON.stringify({ ...event, s: bus.database.schema } satisfies Wire));
  return sql<number>`(SELECT count(pg_notify(${EVENTS_CHANNEL}, w)) FROM unnest(${wires}::text[]) WITH ORDINALITY AS u(w, i))`;
}

/** Publishes events with the caller's transaction, in order, in one statement (one pg_notify each). */
export async function publishMany(ex: Executor, events: readonly BusEvent[]): Promise<void> {
  if (events.length === 0) return;
  const bus = buses.get(adapterOf(ex));
  if (!bus) return; // no server on this database in this process (a CLI): nobody to tell
  if (bus.engine === 'postgresql') {
    const wires = events.map((event) => JSON.stringify({ ...event, s: bus.database.schema } satisfies Wire));
    if (wires.length === 1) {
      await sql`SELECT pg_notify(${EVENTS_CHANNEL}, ${wires[0]})`.execute(ex);
      return;
    }
    await sql`SELECT pg_notify(${EVENTS_CHANNEL}, w) FROM unnest(${wires}::text[]) WITH ORDINALITY AS u(w, i) ORDER BY i`.execute(ex);
    return;
  }
  if (!ex.isTransaction) {
    setImmediate(() => events.forEach((e) => bus.emit(e)));
    return;
  }
  const waiting = pending.get(ex);
  if (waiting) {
    waiting.push(...events);
    return;
  }
  const queued = [...events];
  pending.set(ex, queued);
  const { rows } = await sql<{ xid: string }>`SELECT pg_current_xact_id()::text AS xid`.execute(ex);
  const xid = rows[0]!.xid;
  // Not awaited: on PGlite the pool has one connection, held by the transaction until it ends.
  void (async () => {
    for (let i = 0; i < 3000; i++) {
      const r = await sql<{ st: string | null }>`SELECT pg_xact_status(${xid}::xid8) AS st`.execute(bus.database.db);
      const st = r.rows[0]?.st;
      if (st === 'committed') return queued.forEach((e) => bus.emit(e));
      if (st !== 'in progress') return; // aborted
      await sleep(20);
    }
  })()
    .catch(() => undefined)
    .finally(() => pending.delete(ex));
}

// PGlite: events of a transaction still open, keyed by the transaction (one commit check each).
const pending = new WeakMap<object, BusEvent[]>();

/** The bus of one server instance; registered so publish() finds it from any executor on the database. */
export function createEventBus(database: Database, log: Log): EventBus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  let client: pg.Client | null = null;
  let stopped = false;
  let attempt = 0;
  let retry: NodeJS.Timeout | null = null;

  const connect = async (): Promise<void> => {
    if (stopped) return;
    const c = new pg.Client({ connectionString: database.pool.options.connectionString, application_name: `tongxin-events:${database.schema}`.slice(0, 63) });
    const lost = (err?: unknown) => {
      if (client !== c) return;
      client = null;
      c.removeAllListeners('notification');
      void c.end().catch(() => undefined);
      if (stopped) return;
      const delay = Math.min(30_000, 250 * 2 ** attempt++);
      log.warn?.({ err, delay }, 'event listener lost its connection; reconnecting');
      retry = setTimeout(() => void connect(), delay);
    };
    c.on('error', lost);
    c.on('end', () => lost());
    c.on('notification', (msg) => {
      if (msg.channel !== EVENTS_CHANNEL || !msg.payload) return;
      try {
        const { s, ...event } = JSON.parse(msg.payload) as Wire;
        if (s === database.schema) emitter.emit('event', event as BusEvent);
      } catch (err) {
        log.error({ err }, 'bad event payload');
      }
    });
    client = c;
    try {
      await c.connect();
      await c.query(`LISTEN ${EVENTS_CHANNEL}`);
      attempt = 0;
    } catch (err) {
      lost(err);
    }
  };

  const bus: BusInternals = {
    engine: database.engine,
    database,
    emit: (e) => emitter.emit('event', e),
    subscribe(fn) {
      emitter.on('event', fn);
      return () => emitter.off('event', fn);
    },
    async start() {
      if (database.engine === 'postgresql') await connect();
    },
    async stop() {
      stopped = true;
      if (retry) clearTimeout(retry);
      const c = client;
      client = null;
      if (c) await c.end().catch(() => undefined);
      emitter.removeAllListeners();
      buses.delete(adapterOf(database.db));
    },
  };
  buses.set(adapterOf(database.db), bus);
  return bus;
}
