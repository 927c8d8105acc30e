import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import { createDatabase, type Database } from './database.js';
import { embeddedDataPath, startEmbedded, type EmbeddedDatabase } from './embedded.js';

export interface Opened {
  database: Database;
  embedded?: EmbeddedDatabase;
  /** Closes the pool, then stops the embedded database if this process started it. */
  close(): Promise<void>;
}

const runFile = (dataDir: string) => join(dataDir, 'server.json');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, but another user's process
  }
}

/**
 * PostgreSQL when DATABASE_URL is set; otherwise the embedded database in the data directory. A
 * command-line tool run beside a running server joins that server's embedded database instead of
 * opening the same files twice.
 */
export async function openDatabase(config: Config, opts: { role: 'server' | 'cli' }): Promise<Opened> {
  if (config.databaseUrl) {
    const database = createDatabase({ url: config.databaseUrl, engine: 'postgresql', max: config.poolMax });
    return { database, close: () => database.close() };
  }
  const file = runFile(config.dataDir);
  if (existsSync(file)) {
    const running = JSON.parse(readFileSync(file, 'utf8')) as { serverPid: number; childPid: number; url: string };
    if (alive(running.serverPid) && alive(running.childPid)) {
      if (opts.role === 'server') throw new Error(`Another Tongxin server (pid ${running.serverPid}) is using ${config.dataDir}; stop it first or set TONGXIN_DATA_DIR`);
      const database = createDatabase({ url: running.url, engine: 'pglite' });
      return { database, close: () => database.close() };
    }
  }
  const embedded = await startEmbedded(embeddedDataPath(config.dataDir));
  const database = createDatabase({ url: embedded.url, engine: 'pglite' });
  if (opts.role === 'server') writeFileSync(file, JSON.stringify({ serverPid: process.pid, childPid: embedded.child.pid, url: embedded.url }), { mode: 0o600 });
  return {
    database,
    embedded,
    async close() {
      await database.close();
      await embedded.stop();
      if (opts.role === 'server') rmSync(file, { force: true });
    },
  };
}
