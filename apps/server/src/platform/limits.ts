import type { FastifyRateLimitStore } from '@fastify/rate-limit';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';

// Rate limits shared by every server instance: fixed windows counted in the database (rate_windows,
// migration 0016), one row per key. A hit is one statement, which starts a new window when the
// last one has ended. The servers are stateless behind a load balancer, so a limit kept in each
// process's memory allowed N instances N times the limit, and forgot everything at a restart.

export interface WindowState {
  /** Hits in the current window, this one included (0 when reading a key without a window). */
  hits: number;
  /** Milliseconds until the window ends (0 when there is none). */
  resetMs: number;
}

// windows end within minutes; rows of windows that ended this long ago go (see hitWindow)
const KEEP_ENDED_MS = 60 * 60_000;
const PRUNE_EVERY = 500;
let sincePrune = 0;

/** Counts `by` hits for `key` in its window of `windowMs`, starting a new window if the last one ended. */
export async function hitWindow(db: Db, key: string, windowMs: number, by = 1): Promise<WindowState> {
  const { rows } = await sql<{ hits: number; reset_ms: number }>`
    INSERT INTO rate_windows AS w (key, started_at, hits) VALUES (${key}, clock_timestamp(), ${by})
    ON CONFLICT (key) DO UPDATE SET
      hits = CASE WHEN w.started_at <= clock_timestamp() - make_interval(secs => ${windowMs / 1000}) THEN ${by} ELSE w.hits + ${by} END,
      started_at = CASE WHEN w.started_at <= clock_timestamp() - make_interval(secs => ${windowMs / 1000}) THEN clock_timestamp() ELSE w.started_at END
    RETURNING hits, greatest(0, ceil(extract(epoch FROM (started_at + make_interval(secs => ${windowMs / 1000}) - clock_timestamp())) * 1000))::float8 AS reset_ms`.execute(db);
  // ended windows are removed now and then, by whichever instance counts the most
  if (++sincePrune >= PRUNE_EVERY) {
    sincePrune = 0;
    await pruneWindows(db);
  }
  const row = rows[0]!;
  return { hits: Number(row.hits), resetMs: Number(row.reset_ms) };
}

/** Removes the windows that ended more than an hour ago (no limit is that long); returns how many. */
export async function pruneWindows(db: Db): Promise<number> {
  const r = await sql`DELETE FROM rate_windows WHERE started_at < clock_timestamp() - make_interval(secs => ${KEEP_ENDED_MS / 1000})`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

/** The current window of `key`, without counting a hit. */
export async function readWindow(db: Db, key: string, windowMs: number): Promise<WindowState> {
  const row = await sql<{ hits: number; reset_ms: number }>`
    SELECT hits, ceil(extract(epoch FROM (started_at + make_interval(secs => ${windowMs / 1000}) - clock_timestamp())) * 1000)::float8 AS reset_ms
    FROM rate_windows WHERE key = ${key}`.execute(db);
  const r = row.rows[0];
  if (!r || Number(r.reset_ms) <= 0) return { hits: 0, resetMs: 0 };
  return { hits: Number(r.hits), resetMs: Number(r.reset_ms) };
}

/**
 * A fixed-window limiter over the shared counters: `hit` counts one request for `key` and answers
 * null when it is allowed, else the seconds until its window ends.
 */
export interface Limiter {
  hit(key: string): Promise<number | null>;
  readonly max: number;
}

export function sharedLimiter(db: Db, name: string, max: number, windowMs: number): Limiter {
  return {
    max,
    async hit(key) {
      const w = await hitWindow(db, `${name}:${key}`, windowMs);
      return w.hits > max ? Math.max(1, Math.ceil(w.resetMs / 1000)) : null;
    },
  };
}

type StoreCallback = (err: Error | null, res?: { current: number; ttl: number }) => void;
/** What the plugin passes to a store: the route's options under `routeInfo` (none for the plugin's own). */
type StoreOptions = { routeInfo?: { method?: string | string[]; url?: string } };

/**
 * A store for @fastify/rate-limit over the shared counters (its `store` option): each limited route
 * counts per client address under its own key. Register with `store: rateLimitStore(db)`.
 */
export function rateLimitStore(db: Db) {
  return class SharedRateLimitStore implements FastifyRateLimitStore {
    private readonly route: string;
    constructor(options: object = {}) {
      const route = (options as StoreOptions).routeInfo;
      this.route = route?.url ? `${String(route.method)} ${route.url}` : '*';
    }

    incr(key: string, cb: StoreCallback, timeWindow: number): void {
      hitWindow(db, `route:${this.route}:${key}`, timeWindow).then(
        (w) => cb(null, { current: w.hits, ttl: w.resetMs }),
        (err: Error) => cb(err),
      );
    }

    read(key: string, cb: StoreCallback, timeWindow: number): void {
      readWindow(db, `route:${this.route}:${key}`, timeWindow).then(
        (w) => cb(null, { current: w.hits, ttl: w.resetMs }),
        (err: Error) => cb(err),
      );
    }

    child(routeOptions: object): SharedRateLimitStore {
      return new SharedRateLimitStore(routeOptions);
    }
  };
}
