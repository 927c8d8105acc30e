// npx tsx bench/cases-only.ts — only the case measures (intake over HTTP, the deadline sweep), on a
// database that already holds the city-scale synthetic city (npm run seed:city -- --scale city), e.g.
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_cases npx tsx bench/cases-only.ts
// Clears the cases of earlier runs first, so runs start alike. Prints the result as JSON; writes
// nothing to bench/results or docs (npm run bench does, on a fresh database).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import pg from 'pg';
import { readFileSync } from 'node:fs';
import { createBenchAccount, measureIntake, measureSweep } from './lib/cases.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const url = process.env.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL (PostgreSQL with the city loaded) is required');
  process.exit(2);
}
const log = (m: string) => console.log(`[bench:cases] ${m}`);

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });

const pool = new pg.Pool({ connectionString: url, max: 1 });
// cases and what hangs off them; the audit log is append-only and stays
await pool.query(`TRUNCATE cases, case_counters, case_events, case_deadlines, case_whistles, case_followers, notifications RESTART IDENTITY CASCADE`);
await pool.query('VACUUM ANALYZE cases');
const account = await createBenchAccount(pool);
await pool.end();

const port = await freePort();
// BENCH_SERVER_ARGS: extra node flags for the server, e.g. --cpu-prof --cpu-prof-dir=/tmp/prof
const serverArgs = process.env.BENCH_SERVER_ARGS?.split(' ').filter(Boolean) ?? [];
const server = spawn(process.execPath, [...serverArgs, '--import', 'tsx', `${root}apps/server/src/main.ts`], {
  env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', TONGXIN_DEMO: '0', CASE_SWEEP_SECONDS: '0', LOG_LEVEL: 'warn', NODE_ENV: 'development' },
  stdio: ['ignore', 'ignore', 'inherit'],
});
try {
  const until = Date.now() + 120_000;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/health`)).ok) break;
    } catch {}
    if (Date.now() > until) throw new Error('server did not start');
    await new Promise((r) => setTimeout(r, 250));
  }
  const batch = process.env.BENCH_SWEEP_BATCH ? Number(process.env.BENCH_SWEEP_BATCH) : undefined;
  const only = process.env.BENCH_ONLY; // intake | sweep
  // CPU seconds spent during the intake run by the server, its database backends and this process
  const ticks = (pid: number) => {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(f[11]) + Number(f[12])) / 100;
    } catch {
      return 0;
    }
  };
  const cpuPool = new pg.Pool({ connectionString: url, max: 1 });
  const names = new Map<number, string>();
  const backends = async () => (await cpuPool.query<{ pid: number; app: string }>(`SELECT pid, coalesce(nullif(application_name, ''), backend_type) AS app FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)).rows.map((r) => (names.set(r.pid, r.app), r.pid));
  let before = { server: 0, db: new Map<number, number>(), self: 0, wall: 0 };
  const cpu: Record<string, number> = {};
  const around = async (phase: 'start' | 'end') => {
    const db = new Map((await backends()).map((p) => [p, ticks(p)]));
    const now = { server: ticks(server.pid!), db, self: process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6, wall: performance.now() / 1000 };
    if (phase === 'start') before = now;
    else {
      cpu.wallSeconds = now.wall - before.wall;
      cpu.server = now.server - before.server;
      cpu.database = [...now.db].reduce((n, [p, t]) => n + t - (before.db.get(p) ?? 0), 0);
      const byApp = new Map<string, number>();
      for (const [p, t] of now.db) byApp.set(names.get(p) ?? '?', (byApp.get(names.get(p) ?? '?') ?? 0) + t - (before.db.get(p) ?? 0));
      log(`database CPU by client: ${JSON.stringify(Object.fromEntries([...byApp].map(([k, v]) => [k, Math.round(v * 100) / 100])))}`);
      cpu.loadGenerator = now.self - before.self;
      for (const k of Object.keys(cpu)) cpu[k] = Math.round(cpu[k]! * 100) / 100;
    }
  };
  const intakeSeconds = process.env.BENCH_INTAKE_SECONDS ? Number(process.env.BENCH_INTAKE_SECONDS) : undefined;
  const opts = { port, sqlUrl: url, engine: 'postgresql' as const, account, log, sweepBatchSize: batch, intakeSeconds, around };
  const intake = only === 'sweep' ? null : await measureIntake(opts);
  if (intake) log(`intake CPU seconds: ${JSON.stringify(cpu)} (per case: server ${(cpu.server! / intake.requests * 1000).toFixed(2)} ms, database ${(cpu.database! / intake.requests * 1000).toFixed(2)} ms)`);
  const sweep = only === 'intake' ? null : await measureSweep(opts, intake?.category ?? 'sanitation');
  if (sweep) log(`sweep CPU seconds: ${JSON.stringify(cpu)} (this process runs the sweep)`);
  await cpuPool.end();
  console.log(JSON.stringify({ date: new Date().toISOString(), loadavg: (await import('node:os')).loadavg(), caseIntake: intake, intakeCpuSeconds: cpu, deadlineSweep: sweep }, null, 2));
} finally {
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
}
