// npm run bench — loads the city-scale synthetic city into a fresh database (PostgreSQL when
// DATABASE_URL is set, else embedded PGlite), then measures and writes bench/results/<date>-<engine>.json
// and docs/performance.md. All traffic stays on this machine (127.0.0.1).
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createDatabase } from '../apps/server/src/db/database.js';
import { startEmbedded } from '../apps/server/src/db/embedded.js';
import { migrateToLatest } from '../apps/server/src/db/migrate.js';
import { loadCity } from '../apps/server/src/db/seed/city/load.js';
import { createFieldCrypto } from '../apps/server/src/platform/crypto.js';
import { hashPassword } from '../apps/server/src/platform/passwords.js';
import { sweepOnce } from '../apps/server/src/modules/cases/cases.sweeper.js';
import { httpLoad, percentiles, timeIt } from './lib/stats.js';
import { writePerformanceDoc } from './lib/report.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const engine = process.env.DATABASE_URL ? 'postgresql' : 'pglite';
const scale = (process.env.BENCH_SCALE ?? 'city') as 'city' | 'street' | 'demo';
const log = (m: string) => console.log(`[bench] ${m}`);

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });

async function waitFor(url: string, seconds = 180) {
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer`);
}

function rssMb(pid: number) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(/\d+/.exec(status.split('\n').find((l) => l.startsWith(k)) ?? '0')?.[0] ?? 0);
  return { rss: Math.round(kb('VmRSS:') / 1024), peak: Math.round(kb('VmHWM:') / 1024) };
}

const work = mkdtempSync(join(tmpdir(), 'tongxin-bench-'));
const keyFile = join(work, 'key', 'data.key');
mkdirSync(join(work, 'key'), { recursive: true });
writeFileSync(keyFile, randomBytes(32).toString('hex'), { mode: 0o600 });
const crypto = createFieldCrypto(Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'hex'));
const children: ChildProcess[] = [];

try {
  // 1. A fresh database, migrated, and the city loaded (timed).
  let benchUrl: string | undefined;
  const dataDir = join(work, 'data');
  if (engine === 'postgresql') {
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query('DROP DATABASE IF EXISTS tongxin_bench WITH (FORCE)');
    await admin.query('CREATE DATABASE tongxin_bench');
    await admin.end();
    const u = new URL(process.env.DATABASE_URL!);
    u.pathname = '/tongxin_bench';
    benchUrl = u.toString();
  }
  const embedded = engine === 'pglite' ? await startEmbedded(join(dataDir, 'pglite')) : undefined;
  const database = createDatabase({ url: benchUrl ?? embedded!.url, engine });
  await migrateToLatest(database.db);
  log(`loading the ${scale} city on ${engine} …`);
  const load = await loadCity(database, crypto, scale, { log });
  const sample = async (depth: number, kinds: string[]) =>
    (await database.pool.query<{ id: string }>(`SELECT c.descendant_id AS id FROM org_closure c JOIN orgs o ON o.id = c.descendant_id WHERE c.ancestor_id = 1 AND c.depth = $1 AND o.kind = ANY($2) ORDER BY c.descendant_id LIMIT 50`, [depth, kinds])).rows.map((r) => String(r.id));
  const levels: Record<string, string[]> = {
    city: ['1'],
    district: await sample(1, ['committee']),
    street: await sample(2, ['working_committee']),
    community: await sample(3, ['committee']),
    branch: await sample(4, ['branch', 'joint_branch', 'general_branch']),
  };
  // A bench-only account that may report cases anywhere in the city (the demo accounts cannot: gy_grid
  // holds one grid, cityorg has no case permissions): the command-centre role, scoped to the city.
  const benchPassword = 'Bench@' + randomBytes(6).toString('hex');
  {
    const role = await database.pool.query<{ id: string }>(`SELECT id FROM roles WHERE key = 'command_centre'`);
    const city = await database.pool.query<{ id: string }>(`SELECT id FROM places WHERE parent_id IS NULL ORDER BY id LIMIT 1`);
    const acc = await database.pool.query<{ id: string }>(`INSERT INTO accounts (username, display_name, password_hash) VALUES ('bench_intake', '压测上报账号', $1) RETURNING id`, [await hashPassword(benchPassword)]);
    await database.pool.query(`INSERT INTO account_roles (account_id, role_id) VALUES ($1, $2)`, [acc.rows[0]!.id, role.rows[0]!.id]);
    await database.pool.query(`INSERT INTO account_scopes (account_id, kind, node_id) VALUES ($1, 'place', $2)`, [acc.rows[0]!.id, city.rows[0]!.id]);
  }
  await database.close();
  await embedded?.stop();

  // 2. The full server, and the bare baseline, on the loaded database.
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1', TONGXIN_DATA_DIR: dataDir, TONGXIN_KEY_FILE: keyFile, TONGXIN_DEMO: '0', CASE_SWEEP_SECONDS: '0', LOG_LEVEL: 'warn', NODE_ENV: 'development' };
  if (benchUrl) env.DATABASE_URL = benchUrl;
  else delete env.DATABASE_URL;
  const server = spawn(process.execPath, ['--import', 'tsx', join(root, 'apps/server/src/main.ts')], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(server);
  await waitFor(`http://127.0.0.1:${port}/api/health`);
  const sqlUrl = benchUrl ?? (JSON.parse(readFileSync(join(dataDir, 'server.json'), 'utf8')) as { url: string }).url;
  const barePort = await freePort();
  const bare = fork(join(root, 'bench/bare-server.ts'), [], { execArgv: ['--import', 'tsx'], env: { ...process.env, PORT: String(barePort), BENCH_DATABASE_URL: sqlUrl, BENCH_POOL_MAX: engine === 'pglite' ? '1' : '10' }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  children.push(bare);
  await new Promise((r) => bare.once('message', r));

  const token = (await (await fetch(`http://127.0.0.1:${port}/api/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'cityorg', password: 'Tongxin@2026' }) })).json()) as { token: string };
  const auth = { authorization: `Bearer ${token.token}` };

  // 3. Subtree statistics: SQL alone, then over HTTP at 10 concurrent connections.
  const pool = new pg.Pool({ connectionString: sqlUrl, max: 1 });
  const stats: Record<string, { sql: ReturnType<typeof percentiles>; http: Awaited<ReturnType<typeof httpLoad>> }> = {};
  for (const [level, ids] of Object.entries(levels)) {
    const sqlMs = await timeIt(500, (i) => pool.query('SELECT dim, key, n FROM org_counts WHERE org_id = $1', [ids[i % ids.length]]));
    const http = await httpLoad({ port, headers: auth, concurrency: 10, seconds: 4, paths: ids.map((id) => `/api/orgs/${id}/stats`) });
    stats[level] = { sql: percentiles(sqlMs), http };
    log(`stats ${level}: SQL p99 ${stats[level].sql.p99} ms, HTTP p99 ${http.latency.p99} ms at ${http.rps} req/s`);
  }
  await pool.end();

  // 4. Full stack against the bare server on the same SQL (mixed levels), 10 connections each.
  const mixed = Object.values(levels).flat();
  const bareRun = await httpLoad({ port: barePort, concurrency: 10, seconds: 8, paths: mixed.map((id) => `/stats/${id}`) });
  const fullRun = await httpLoad({ port, headers: auth, concurrency: 10, seconds: 8, paths: mixed.map((id) => `/api/orgs/${id}/stats`) });
  const ratio = Math.round((fullRun.rps / bareRun.rps) * 100) / 100;
  log(`full stack ${fullRun.rps} req/s vs bare ${bareRun.rps} req/s: ratio ${ratio}`);

  // 5. Member search by name and the organisation list page (one connection: latency).
  const names = ['建国', '王芳', '李明', '张伟', '刘洋', '陈静', '秀英', '志强', '海燕', '晓东'];
  const search = await httpLoad({ port, headers: auth, concurrency: 1, seconds: 6, maxRequests: 300, paths: names.map((n) => `/api/members?q=${encodeURIComponent(n)}&pageSize=20`) });
  const pages = Array.from({ length: 20 }, (_, i) => `/api/orgs?parentId=${levels.district![i % levels.district!.length]}&page=${(i % 10) + 1}&pageSize=20`);
  const orgList = await httpLoad({ port, headers: auth, concurrency: 1, seconds: 6, maxRequests: 300, paths: pages });
  log(`member search p99 ${search.latency.p99} ms; org list p99 ${orgList.latency.p99} ms`);
  const memory = rssMb(server.pid!);
  log(`server RSS ${memory.rss} MB (peak ${memory.peak} MB)`);

  const caseMeasures = await (async () => {
    // 6. Case intake over HTTP: 10 connections POST /api/cases at points spread over ~2,000 random grids
    // of the whole city (each routed point-in-polygon among all ~20,000 grids), for 8 s.
    const sqlPool = new pg.Pool({ connectionString: sqlUrl, max: 1 });
    const grids = (await sqlPool.query<{ lng: number; lat: number; w: number; s: number; e: number; n: number }>(
      `SELECT bbox[1] AS w, bbox[2] AS s, bbox[3] AS e, bbox[4] AS n FROM places WHERE kind = 'grid' AND bbox IS NOT NULL ORDER BY md5(id::text) LIMIT 2000`)).rows;
    const gridCount = Number((await sqlPool.query<{ n: string }>(`SELECT count(*) AS n FROM places WHERE kind = 'grid'`)).rows[0]!.n);
    const categoryCode = (await sqlPool.query<{ code: string }>(`SELECT code FROM case_categories WHERE active ORDER BY (code = 'sanitation') DESC, id LIMIT 1`)).rows[0]?.code;
    if (!categoryCode) {
      // smaller scales have no case demo (no categories): the case measures are city-scale only
      await sqlPool.end();
      log('no case categories at this scale: case intake and deadline sweep skipped');
      return {};
    }
    const intakeLogin = (await (await fetch(`http://127.0.0.1:${port}/api/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bench_intake', password: benchPassword }) })).json()) as { token: string };
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
    const intake = await httpLoad({ port, headers: intakeAuth, concurrency: 10, seconds: 8, maxRequests: 20_000, okStatus: [201], request: (i) => ({ path: '/api/cases', body: caseBody(i) }) });
    const routedGrids = Number((await sqlPool.query<{ n: string }>(`SELECT count(DISTINCT grid_id) AS n FROM cases`)).rows[0]!.n);
    log(`case intake: ${intake.rps} cases/s, p50 ${intake.latency.p50} ms, p99 ${intake.latency.p99} ms, ${intake.errors} errors of ${intake.requests} (routed to ${routedGrids} of ${gridCount} grids)`);
    await sqlPool.end();

    // 7. Deadline sweep over 100,000 open cases: the cases (state dispatched) and their deadline rows go in
    // with one set-based statement each; 10 % are past their deadline. The server's own sweeper is off
    // (CASE_SWEEP_SECONDS=0); the sweep runs in this process with the server's sweepOnce.
    const OPEN = 100_000;
    const sweepDb = createDatabase({ url: sqlUrl, engine });
    const now = new Date();
    const insertStarted = performance.now();
    await sweepDb.db.transaction().execute(async (trx) => {
      const { sql } = await import('kysely');
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
    await sweepDb.pool.query('ANALYZE cases');
    await sweepDb.pool.query('ANALYZE case_deadlines');
    const insertSeconds = Math.round((performance.now() - insertStarted) / 10) / 100;
    const dueRows = Number((await sweepDb.pool.query<{ n: string }>(`SELECT count(*) AS n FROM case_deadlines WHERE processed_at IS NULL AND due_at <= $1`, [now])).rows[0]!.n);
    log(`inserted ${OPEN} open cases and ${OPEN * 2} deadline rows in ${insertSeconds} s; ${dueRows} due`);
    const sweepStarted = performance.now();
    const sweepDeadline = sweepStarted + 300_000; // bounded: 5 minutes at most
    const totals = { processed: 0, escalated: 0, yellow: 0, red: 0, whistlesOverdue: 0, moot: 0 };
    let calls = 0;
    for (;;) {
      const r = await sweepOnce({ database: sweepDb }, now);
      calls += 1;
      for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += r[k];
      if (r.processed === 0 || performance.now() > sweepDeadline) break;
    }
    const sweepSeconds = Math.round((performance.now() - sweepStarted) / 10) / 100;
    const leftDue = Number((await sweepDb.pool.query<{ n: string }>(`SELECT count(*) AS n FROM case_deadlines WHERE processed_at IS NULL AND due_at <= $1`, [now])).rows[0]!.n);
    await sweepDb.close();
    log(`deadline sweep: ${totals.processed} due rows of ${OPEN} open cases in ${sweepSeconds} s (${Math.round(totals.processed / Math.max(sweepSeconds, 0.001))} rows/s, ${calls} sweepOnce calls, ${leftDue} left)`);
    return {
      caseIntake: { ...intake, connections: 10, category: categoryCode, gridsSampled: grids.length, gridsInCity: gridCount, gridsRouted: routedGrids, target: { rps: 500, p99Ms: 100, rpsAppliesTo: 'postgresql' } },
      deadlineSweep: { openCases: OPEN, dueRows, insertSeconds, seconds: sweepSeconds, calls, batchSize: 50, ...totals, leftDue, rowsPerSecond: Math.round(totals.processed / Math.max(sweepSeconds, 0.001)), targetSeconds: 1 },
    };
  })();

  const result = {
    date: new Date().toISOString(),
    engine,
    scale,
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
    load: { seconds: load.seconds.total, steps: load.seconds, places: load.places, orgs: load.orgs, members: load.members, targetSeconds: engine === 'postgresql' ? 60 : 120 },
    stats,
    fullVsBare: { full: fullRun, bare: bareRun, ratio, target: 0.6 },
    memberSearch: search,
    orgListPage: orgList,
    serverMemoryMb: { ...memory, target: 300 },
    ...caseMeasures,
  };
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  const file = join(root, 'bench/results', `${result.date.slice(0, 10)}-${engine}${scale === 'city' ? '' : `-${scale}`}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  writePerformanceDoc(join(root, 'bench/results'), join(root, 'docs/performance.md'));
  log(`wrote ${file} and docs/performance.md`);
} finally {
  for (const c of children) c.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 1500));
  rmSync(work, { recursive: true, force: true });
}
