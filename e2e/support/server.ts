// Starts the real Tongxin server for a test run: a fresh embedded database in a temp directory,
// a temp data key, a free port, development mode (so the demo city and its accounts are loaded).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const CONSOLE_INDEX = join(ROOT, 'apps/console/dist/index.html');
const START_TIMEOUT_MS = 120_000;

/** The password of every demo account. */
export const DEMO_PASSWORD = 'Tongxin@2026';

export interface RunningServer {
  url: string;
  port: number;
  dataDir: string;
  /** What the server printed so far (shown when a test fails to start). */
  output(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((res) => {
    const timer = setTimeout(() => res(false), ms);
    child.once('exit', () => { clearTimeout(timer); res(true); });
  });
}

export async function startServer(): Promise<RunningServer> {
  // E2E_BASE_URL: run against a server that is already running (its demo data must be loaded).
  const external = process.env.E2E_BASE_URL;
  if (external) {
    const url = external.replace(/\/$/, '');
    const res = await fetch(`${url}/api/health`).catch(() => null);
    if (!res?.ok) throw new Error(`E2E_BASE_URL=${url} does not answer GET /api/health`);
    return { url, port: Number(new URL(url).port), dataDir: '', output: () => '', stop: async () => {} };
  }
  if (!existsSync(CONSOLE_INDEX)) {
    throw new Error(`The console is not built (${CONSOLE_INDEX} is missing). Run \`npm run build\` at the repository root first.`);
  }
  const tmp = mkdtempSync(join(tmpdir(), 'tongxin-e2e-'));
  const dataDir = join(tmp, 'data');
  const keyFile = join(tmp, 'key', 'data.key');
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1', TONGXIN_DATA_DIR: dataDir, TONGXIN_KEY_FILE: keyFile, LOG_LEVEL: 'warn' };
  delete env.NODE_ENV;
  delete env.DATABASE_URL;
  delete env.TONGXIN_DATA_KEY;
  delete env.TONGXIN_DEMO;

  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'apps/server/src/main.ts')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (b: Buffer) => { out = (out + b.toString()).slice(-20_000); };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  if (process.env.E2E_SERVER_LOG) {
    child.stdout?.pipe(process.stderr);
    child.stderr?.pipe(process.stderr);
  }

  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if (!(await waitForExit(child, 20_000))) {
        child.kill('SIGKILL');
        await waitForExit(child, 5_000);
      }
    }
    rmSync(tmp, { recursive: true, force: true });
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      rmSync(tmp, { recursive: true, force: true });
      throw new Error(`The server exited during start (code ${child.exitCode ?? child.signalCode}):\n${out}`);
    }
    try {
      const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return { url, port, dataDir, output: () => out, stop };
    } catch { /* not listening yet */ }
    await sleep(500);
  }
  await stop();
  throw new Error(`The server did not answer GET /api/health within ${START_TIMEOUT_MS / 1000} s:\n${out}`);
}
