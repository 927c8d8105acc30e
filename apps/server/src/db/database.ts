import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { DB } from './types.js';

export type Engine = 'pglite' | 'postgresql';
export type Db = Kysely<DB>;
export type Tx = Transaction<DB>;
/** Either the database or a transaction: services take this so callers can compose them in one transaction. */
export type Executor = Kysely<DB> | Transaction<DB>;

// int8 (ids, counts) stays a string so ids are opaque strings everywhere; count(*) is cast where a number is wanted.
pg.types.setTypeParser(1700, (v) => Number(v)); // numeric → number (rates, amounts: within double precision)
pg.types.setTypeParser(1082, (v) => v); // date → 'YYYY-MM-DD', no time-zone shift

export interface Database {
  db: Db;
  pool: pg.Pool;
  engine: Engine;
  /** The schema first on the search path (public unless a test gave the pool its own). */
  schema: string;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  url: string;
  engine: Engine;
  max?: number;
  /** Schema to put first on the search path (tests give each file its own). */
  schema?: string;
}

export function createDatabase(opts: DatabaseOptions): Database {
  const pool = new pg.Pool({
    connectionString: opts.url,
    // PGlite is one backend behind a multiplexer: one connection keeps session state and
    // extended-protocol messages of different callers from interleaving.
    max: opts.engine === 'pglite' ? 1 : (opts.max ?? 10),
    idleTimeoutMillis: 30_000,
    application_name: 'tongxin',
  });
  if (opts.schema) {
    const schema = opts.schema;
    pool.on('connect', (client) => {
      void client.query(`SET search_path TO "${schema.replace(/"/g, '')}", public`);
    });
  }
  pool.on('error', () => {
    // An idle client lost its connection (database restarted): the pool replaces it on next use.
  });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    pool,
    engine: opts.engine,
    schema: opts.schema ?? 'public',
    async close() {
      await db.destroy();
    },
  };
}
