// The embedded database: PGlite (WASM PostgreSQL) in its own process, reached over the PostgreSQL
// wire protocol. It runs apart from the server because PGlite blocks the event loop of whatever
// process hosts it. Plain JS so that it starts without a TypeScript loader.
import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const dataDir = process.argv[2];
const maxConnections = Number(process.argv[3] ?? 8);
const socketPath = process.argv[4]; // a Unix socket in a 0700 directory: other local users cannot connect
let db;
let server;
let stopping = false;

async function shutdown(code = 0) {
  if (stopping) return;
  stopping = true;
  try {
    await server?.stop();
  } catch {}
  try {
    await db?.close();
  } catch {}
  if (socketPath) rmSync(dirname(socketPath), { recursive: true, force: true });
  process.exit(code);
}

// The child has its own process group (the parent spawns it detached) so a Ctrl-C in the terminal
// reaches only the server, which closes its pool first and then asks us to stop.
process.on('message', (m) => {
  if (m && m.type === 'shutdown') void shutdown(0);
});
process.on('disconnect', () => void shutdown(0)); // the server died: do not linger
process.on('SIGTERM', () => void shutdown(0));
process.on('SIGINT', () => void shutdown(0));

try {
  if (dataDir && !dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  // PGlite runs with fsync off, so the full-page images that guard against pages torn by a power cut
  // protect nothing here; they were 30 of the 48 MB of WAL written by a 10,000-case deadline sweep
  const startParams = [...PGlite.defaultStartParams, '-c', 'full_page_writes=off'];
  db = await PGlite.create(dataDir && dataDir !== 'memory://' ? dataDir : undefined, { extensions: { pg_trgm }, startParams });
  server = new PGLiteSocketServer({ db, path: socketPath, maxConnections });
  await server.start();
  process.send?.({ type: 'ready' });
} catch (err) {
  process.send?.({ type: 'error', message: String(err?.stack ?? err) });
  await shutdown(1);
}
