import { fork, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface EmbeddedDatabase {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

const childScript = join(dirname(fileURLToPath(import.meta.url)), 'pglite-child.mjs');

/**
 * Starts PGlite in a child process and resolves with a postgres:// URL to it.
 * `dir` is a directory (created if missing) or 'memory://' for a throwaway database.
 */
export async function startEmbedded(dir: string, opts: { maxConnections?: number; timeoutMs?: number } = {}): Promise<EmbeddedDatabase> {
  if (dir !== 'memory://') mkdirSync(dirname(dir), { recursive: true }); // PGlite.create fails without the parent
  // pg reaches a Unix socket as <host dir>/.s.PGSQL.<port>; a private temp dir keeps the path short
  const socketDir = mkdtempSync(join(tmpdir(), 'tongxin-db-'));
  const child = fork(childScript, [dir, String(opts.maxConnections ?? 8), join(socketDir, '.s.PGSQL.5432')], {
    execArgv: [],
    detached: true, // own process group: terminal Ctrl-C goes to the server, which stops us in order
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('The embedded database did not start within the time limit')), opts.timeoutMs ?? 60_000);
    child.once('message', (m: { type: string; message?: string }) => {
      clearTimeout(timer);
      if (m.type === 'ready') resolve();
      else reject(new Error(`The embedded database failed to start: ${m.message ?? 'unknown error'}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`The embedded database exited during start (code ${code})`));
    });
  });
  let stopped: Promise<void> | undefined;
  return {
    url: `postgres://postgres@localhost:5432/postgres?host=${encodeURIComponent(socketDir)}`,
    child,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(timer);
          rmSync(socketDir, { recursive: true, force: true });
          resolve();
        });
        if (child.connected) child.send({ type: 'shutdown' });
        else child.kill('SIGTERM');
      });
      return stopped;
    },
  };
}

export function embeddedDataPath(dataDir: string): string {
  // PGlite writes its files world-readable: the directory around them keeps other local users out
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
  return join(dataDir, 'pglite');
}
