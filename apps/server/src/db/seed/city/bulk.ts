import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sql } from 'kysely';
import copyStreams from 'pg-copy-streams';
import type { Database, Executor } from '../../database.js';

// Bulk writes for the synthetic city: COPY on PostgreSQL (several times faster than INSERT), and
// set-based INSERT … SELECT FROM unnest(arrays) on PGlite, whose socket does not speak COPY.

/** Columns as [name, element type, cast] — the cast turns a text element into an array column. */
export type Column = [string, string, string?];

export interface BulkWriter {
  rows(table: string, columns: Column[], rows: unknown[][]): Promise<void>;
  exec(statement: string): Promise<void>;
}

const CHUNK = 4000;

async function insertRows(ex: Executor, table: string, columns: Column[], rows: unknown[][]) {
  const cols = sql.join(columns.map(([c]) => sql.ref(c)));
  const aliases = sql.raw(columns.map((_, ci) => `c${ci}`).join(', '));
  const select = sql.raw(columns.map(([, , cast], ci) => (cast ? `c${ci}::${cast}` : `c${ci}`)).join(', '));
  for (let i = 0; i < rows.length; i += CHUNK) {
    const part = rows.slice(i, i + CHUNK);
    const unnest = sql.join(columns.map(([, type], ci) => sql`${part.map((r) => r[ci] ?? null)}::${sql.raw(type)}[]`));
    await sql`INSERT INTO ${sql.table(table)} (${cols}) SELECT ${select} FROM unnest(${unnest}) AS t(${aliases})`.execute(ex);
  }
}

/** One value in COPY text format. */
function copyValue(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  const s = String(v);
  // most values need no escaping: one test instead of four replacements (millions of values per load)
  if (!NEEDS_ESCAPE.test(s)) return s;
  return s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}
const NEEDS_ESCAPE = /[\\\t\n\r]/;

/** Runs `fn` in one transaction with a writer suited to the engine; commits are not waited for on disk. */
export async function withBulk<T>(database: Database, fn: (w: BulkWriter) => Promise<T>): Promise<T> {
  if (database.engine === 'postgresql') {
    const client = await database.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL synchronous_commit = off'); // a bulk load that can be rerun
      const result = await fn({
        async rows(table, columns, rows) {
          if (rows.length === 0) return;
          const stream = client.query(copyStreams.from(`COPY ${table} (${columns.map(([c]) => c).join(', ')}) FROM STDIN`));
          const lines = function* () {
            for (let i = 0; i < rows.length; i += 1000) yield rows.slice(i, i + 1000).map((r) => r.map(copyValue).join('\t') + '\n').join('');
          };
          await pipeline(Readable.from(lines()), stream);
        },
        async exec(statement) {
          await client.query(statement);
        },
      });
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }
  return database.db.transaction().execute((trx) =>
    fn({
      rows: (table, columns, rows) => insertRows(trx, table, columns, rows),
      async exec(statement) {
        await sql.raw(statement).execute(trx);
      },
    }),
  );
}
