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
import { httpLoad, percentiles, timeIt } from './lib/stats.js';
import { writePerformanceDoc } from './lib/report.js';
import { createBenchAccount, measureCases } from './lib/cases.js';
import { measureLife } from './lib/life.js';
import { measureFeed } from './lib/feed.js';

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
  const benchAccount = await createBenchAccount(database.pool);
  // not part of the load time: a city in service is vacuumed; without this, autovacuum works through
  // the freshly loaded tables during the measures below and takes the cores they are measured on
  const vacuumStarted = performance.now();
  await database.pool.query('VACUUM (ANALYZE)');
  await database.pool.query('CHECKPOINT').catch(() => undefined);
  log(`vacuumed after the load in ${Math.round((performance.now() - vacuumStarted) / 100) / 10} s (not timed as part of the load)`);
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

  const caseMeasures = await measureCases({ port, sqlUrl, engine, account: benchAccount, log });
  const lifeMeasures = await measureLife({ port, sqlUrl, headers: auth, log });
  const feedMeasures = await measureFeed({ port, sqlUrl, engine, log });

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
    ...lifeMeasures,
    ...feedMeasures,
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
