// The case measures (issue 4), shared by run.ts and cases-only.ts: case intake over HTTP and the
// deadline sweep over 100,000 open cases. Run on a database holding the city-scale synthetic city.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { createDatabase, type Engine } from '../../apps/server/src/db/database.js';
import { hashPassword } from '../../apps/server/src/platform/passwords.js';
import { defaultSweepBatch, sweepOnce } from '../../apps/server/src/modules/cases/cases.sweeper.js';
import { httpLoad } from './stats.js';

/**
 * A bench-only account that may report cases anywhere in the city (the demo accounts cannot: gy_grid
 * holds one grid, cityorg has no case permissions): the command-centre role, scoped to the city.
 * Returns its password (a new one each time).
 */
export async function createBenchAccount(pool: pg.Pool): Promise<{ username: string; password: string }> {
  const password = 'Bench@' + randomBytes(6).toString('hex');
  const role = await pool.query<{ id: string }>(`SELECT id FROM roles WHERE key = 'command_centre'`);
  const city = await pool.query<{ id: string }>(`SELECT id FROM places WHERE parent_id IS NULL ORDER BY id LIMIT 1`);
  const acc = await pool.query<{ id: string }>(
    `INSERT INTO accounts (username, display_name, password_hash) VALUES ('bench_intake', '压测上报账号', $1)
     ON CONFLICT (username) DO UPDATE SET password_hash = EXCLUDED.password_hash RETURNING id`,
    [await hashPassword(password)],
  );
  await pool.query(`INSERT INTO account_roles (account_id, role_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [acc.rows[0]!.id, role.rows[0]!.id]);
  await pool.query(`INSERT INTO account_scopes (account_id, kind, node_id) VALUES ($1, 'place', $2) ON CONFLICT DO NOTHING`, [acc.rows[0]!.id, city.rows[0]!.id]);
  return { username: 'bench_intake', password };
}

type Opts = { port: number; sqlUrl: string; engine: Engine; account: { username: string; password: string }; log: (m: string) => void; intakeSeconds?: number; sweepBatchSize?: number; around?: (phase: 'start' | 'end') => Promise<void> };

/** Both case measures, as npm run bench records them (empty at scales without case categories). */
export async function measureCases(opts: Opts) {
  const intake = await measureIntake(opts);
  if (!intake) return {};
  return { caseIntake: intake, deadlineSweep: await measureSweep(opts, intake.category) };
}

/**
 * 6. Case intake over HTTP: 10 connections POST /api/cases at points spread over ~2,000 random grids
 * of the whole city (each routed point-in-polygon among all ~20,000 grids), for 8 s.
 */
export async function measureIntake(opts: Opts) {
  const { port, sqlUrl, log } = opts;
  const sqlPool = new pg.Pool({ connectionString: sqlUrl, max: 1 });
  try {
    const grids = (await sqlPool.query<{ lng: number; lat: number; w: number; s: number; e: number; n: number }>(
      `SELECT bbox[1] AS w, bbox[2] AS s, bbox[3] AS e, bbox[4] AS n FROM places WHERE kind = 'grid' AND bbox IS NOT NULL ORDER BY md5(id::text) LIMIT 2000`)).rows;
    const gridCount = Number((await sqlPool.query<{ n: string }>(`SELECT count(*) AS n FROM places WHERE kind = 'grid'`)).rows[0]!.n);
    const categoryCode = (await sqlPool.query<{ code: string }>(`SELECT code FROM case_categories WHERE active ORDER BY (code = 'sanitation') DESC, id LIMIT 1`)).rows[0]?.code;
    if (!categoryCode) {
      // smaller scales have no case demo (no categories): the case measures are city-scale only
      log('no case categories at this scale: case intake and deadline sweep skipped');
      return null;
    }
    const intakeLogin = (await (await fetch(`http://127.0.0.1:${port}/api/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(opts.account) })).json()) as { token: string };
    const intakeAuth = { authorization: `Bearer ${intakeLogin.token}` };
    // a point inside the grid's box (the middle 60 %), varied per request
    const point = (i: number) => {
      const g = grids[i % grids.length]!;
      const f = (k: number) => 0.2 + 0.6 * (((i * k) % 97) / 97);
      return { lng: g.w + (g.e - g.w) * f(31), lat: g.s + (g.n - g.s) * f(57) };
    };
    const caseBody = (i: number) => ({ categoryCode, description: `楼道堆放垃圾和小广告（压测 ${i}）`, ...point(i), address: '压测地址', source: 'grid_worker' });
    // warm-up: the grid index is built on first use (not part of the measurement)
    const warm = await httpLoad({ port, headers: intakeAuth, concurrency: 1, seconds: 30, maxRequests: 5, okStatus: [201], request: (i) => ({ path: '/api/cases', body: caseBody(100_000 + i) }) });
    if (warm.errors > 0) throw new Error(`case intake warm-up failed (${warm.errors} of ${warm.requests})`);
    await opts.around?.('start');
    const intake = await httpLoad({ port, headers: intakeAuth, concurrency: 10, seconds: opts.intakeSeconds ?? 8, maxRequests: 20_000, okStatus: [201], request: (i) => ({ path: '/api/cases', body: caseBody(i) }) });
    await opts.around?.('end');
    const routedGrids = Number((await sqlPool.query<{ n: string }>(`SELECT count(DISTINCT grid_id) AS n FROM cases`)).rows[0]!.n);
    log(`case intake: ${intake.rps} cases/s, p50 ${intake.latency.p50} ms, p99 ${intake.latency.p99} ms, ${intake.errors} errors of ${intake.requests} (routed to ${routedGrids} of ${gridCount} grids)`);
    return { ...intake, connections: 10, category: categoryCode, gridsSampled: grids.length, gridsInCity: gridCount, gridsRouted: routedGrids, target: { rps: 500, p99Ms: 100, rpsAppliesTo: 'postgresql' } };
  } finally {
    await sqlPool.end();
  }
}

/**
 * 7. Deadline sweep over 100,000 open cases: the cases (state dispatched) and their deadline rows go in
 * with one set-based statement each; 10 % are past their deadline. The server's own sweeper is off
 * (CASE_SWEEP_SECONDS=0); the sweep runs in this process with the server's sweepOnce.
 */
export async function measureSweep(opts: Opts, categoryCode: string) {
  const { sqlUrl, engine, log } = opts;
  const batchSize = opts.sweepBatchSize ?? defaultSweepBatch(engine);
  const OPEN = 100_000;
  const sweepDb = createDatabase({ url: sqlUrl, engine });
  const now = new Date();
  const insertStarted = performance.now();
  await sweepDb.db.transaction().execute(async (trx) => {
    const category = (await trx.selectFrom('case_categories').select('id').where('code', '=', categoryCode).executeTakeFirstOrThrow()).id;
    await sql`
      WITH g AS (
        SELECT row_number() OVER (ORDER BY md5(p.id::text)) AS k, p.id AS grid_id, p.bbox,
          (SELECT a.ancestor_id FROM place_closure a JOIN places q ON q.id = a.ancestor_id WHERE a.descendant_id = p.id AND q.kind = 'community' LIMIT 1) AS community_id,
          (SELECT a.ancestor_id FROM place_closure a JOIN places q ON q.id = a.ancestor_id WHERE a.descendant_id = p.id AND q.kind = 'street' LIMIT 1) AS street_id,
          (SELECT a.ancestor_id FROM place_closure a JOIN places q ON q.id = a.ancestor_id WHERE a.descendant_id = p.id AND q.kind = 'district' LIMIT 1) AS district_id
        FROM places p WHERE p.kind = 'grid' AND p.bbox IS NOT NULL
      ), n AS (SELECT count(*) AS c FROM g)
      INSERT INTO cases (number, category_id, description, lng, lat, address, grid_id, community_id, street_id, district_id, source, priority, state,
                         owner_place_id, owner_level, level, level_place_id, first_due_at, due_at, red_at, created_at, filed_at, dispatched_at, updated_at)
      SELECT 'BENCH-' || lpad(i::text, 6, '0'), ${category}, '压测：楼道堆物', (g.bbox[1] + g.bbox[3]) / 2, (g.bbox[2] + g.bbox[4]) / 2, '', g.grid_id, g.community_id, g.street_id, g.district_id,
             'grid_worker', 'general', 'dispatched', g.grid_id, 'grid', 'grid', g.grid_id,
             d.due, d.due, d.due + interval '24 hours', d.due - interval '24 hours', d.due - interval '24 hours', d.due - interval '24 hours', d.due - interval '24 hours'
      FROM generate_series(1, ${OPEN}) AS i
      CROSS JOIN n
      JOIN g ON g.k = 1 + (i % n.c)
      CROSS JOIN LATERAL (SELECT CASE WHEN i % 10 = 0 THEN ${now}::timestamptz - interval '1 hour' - (i % 600) * interval '1 second'
                                      ELSE ${now}::timestamptz + interval '1 hour' + (i % 86400) * interval '1 second' END AS due) AS d`.execute(trx);
    await sql`INSERT INTO case_deadlines (case_id, kind, due_at)
      SELECT id, 'case_due', due_at FROM cases WHERE number LIKE 'BENCH-%'
      UNION ALL SELECT id, 'case_red', red_at FROM cases WHERE number LIKE 'BENCH-%'`.execute(trx);
  });
  // cases accumulate over weeks in service, with autovacuum keeping up; 100,000 put in at once are
  // vacuumed and checkpointed here, so the sweep is not measured against the bulk insert's aftermath
  await sweepDb.pool.query('VACUUM ANALYZE cases');
  await sweepDb.pool.query('VACUUM ANALYZE case_deadlines');
  await sweepDb.pool.query('CHECKPOINT').catch(() => log('CHECKPOINT not allowed for this role: the sweep may pay for the insert'));
  const insertSeconds = Math.round((performance.now() - insertStarted) / 10) / 100;
  const dueRows = Number((await sweepDb.pool.query<{ n: string }>(`SELECT count(*) AS n FROM case_deadlines WHERE processed_at IS NULL AND due_at <= $1`, [now])).rows[0]!.n);
  log(`inserted ${OPEN} open cases and ${OPEN * 2} deadline rows in ${insertSeconds} s; ${dueRows} due`);
  await opts.around?.('start');
  const sweepStarted = performance.now();
  const sweepDeadline = sweepStarted + 300_000; // bounded: 5 minutes at most
  const totals = { processed: 0, escalated: 0, yellow: 0, red: 0, whistlesOverdue: 0, moot: 0 };
  let calls = 0;
  for (;;) {
    const r = await sweepOnce({ database: sweepDb }, now, { batchSize });
    calls += 1;
    for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += r[k];
    if (r.processed === 0 || performance.now() > sweepDeadline) break;
  }
  const sweepSeconds = Math.round((performance.now() - sweepStarted) / 10) / 100;
  await opts.around?.('end');
  const leftDue = Number((await sweepDb.pool.query<{ n: string }>(`SELECT count(*) AS n FROM case_deadlines WHERE processed_at IS NULL AND due_at <= $1`, [now])).rows[0]!.n);
  await sweepDb.close();
  log(`deadline sweep: ${totals.processed} due rows of ${OPEN} open cases in ${sweepSeconds} s (${Math.round(totals.processed / Math.max(sweepSeconds, 0.001))} rows/s, ${calls} sweepOnce calls, ${leftDue} left)`);
  return { openCases: OPEN, dueRows, insertSeconds, seconds: sweepSeconds, calls, batchSize, ...totals, leftDue, rowsPerSecond: Math.round(totals.processed / Math.max(sweepSeconds, 0.001)), targetSeconds: 1 };
}
