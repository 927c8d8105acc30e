import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { BUILTIN_ROLES } from '@tongxin/contracts';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { prepareDatabase } from './db/bootstrap.js';
import { openDatabase } from './db/connect.js';
import { createFieldCrypto, loadMasterKey } from './platform/crypto.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');

async function main() {
  const config = loadConfig();
  config.version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const key = loadMasterKey(config);
  const opened = await openDatabase(config, { role: 'server' });
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    console.log(`\n${signal}: stopping the server, then the database …`);
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    try {
      await app?.close();
    } finally {
      await opened.close();
      process.exit(0);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  const crypto = createFieldCrypto(key.key);
  process.on('uncaughtException', (err) => {
    console.error(err);
    void shutdown('uncaught exception');
  });
  let first;
  try {
    first = await prepareDatabase(opened.database, { demo: config.loadDemo ? 'articles' : false, crypto });
    app = await buildApp({ config, database: opened.database, crypto, consoleDir: join(root, 'apps/console/dist'), mobileDir: join(root, 'apps/mobile/dist') });
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    // stop the embedded database too: nothing is left running after a failed start
    await opened.close();
    throw err;
  }

  const url = `http://localhost:${config.port}`;
  const lines = [
    '',
    `  同心 Tongxin ${config.version} is running at ${url}`,
    `  database: ${opened.database.engine === 'pglite' ? `embedded PGlite in ${config.dataDir}` : 'PostgreSQL (DATABASE_URL)'}`,
    `  data key: ${key.source}`,
    `  API docs: ${url}/api/docs`,
  ];
  if (first) {
    lines.push('', first.demo ? '  Demo accounts (演示账号), one per role:' : '  First administrator accounts — write these passwords down now:');
    // a demo account may hold several roles ("member+branch_secretary")
    const roleName = (role: string, lang: 'zh' | 'en') => role.split('+').map((r) => (BUILTIN_ROLES as Record<string, { zh: string; en: string } | undefined>)[r]?.[lang] ?? r).join(' + ');
    for (const a of first.accounts) lines.push(`    ${a.username.padEnd(10)} ${a.password.padEnd(16)} ${roleName(a.role, 'zh')} / ${roleName(a.role, 'en')} — scope: ${a.scope}`);
  } else {
    lines.push('  (existing data reused; demo accounts keep their passwords, e.g. sysadmin / Tongxin@2026 if it was never changed)');
  }
  console.log(lines.join('\n') + '\n');
}

let app: Awaited<ReturnType<typeof buildApp>> | undefined;
main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
