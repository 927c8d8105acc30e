// npm test: the server suite on the embedded database, then on PostgreSQL when TEST_DATABASE_URL is set.
import { spawnSync } from 'node:child_process';

const runs = [{ engine: 'pglite', label: 'embedded PGlite' }];
if (process.env.TEST_DATABASE_URL) runs.push({ engine: 'postgresql', label: `PostgreSQL (${process.env.TEST_DATABASE_URL.replace(/\/\/[^@]*@/, '//')})` });

let failed = false;
for (const run of runs) {
  console.log(`\n=== server tests on ${run.label} ===\n`);
  const res = spawnSync('npx', ['vitest', 'run', ...process.argv.slice(2)], {
    cwd: new URL('../apps/server/', import.meta.url),
    stdio: 'inherit',
    env: { ...process.env, TEST_ENGINE: run.engine },
  });
  if (res.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
