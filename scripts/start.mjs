// npm start: build the console and the mobile pages when their sources are newer than the last build, then run the server.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist') continue;
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

function buildIfStale(workspace, dir) {
  const index = join(root, dir, 'dist/index.html');
  const sources = Math.max(newest(join(root, dir)), newest(join(root, 'packages/contracts/src')));
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  console.log(`Building ${workspace} …`);
  const res = spawnSync('npm', ['run', 'build', '-w', workspace], { cwd: root, stdio: 'inherit' });
  if (res.status !== 0) process.exit(res.status ?? 1);
}

buildIfStale('@tongxin/console', 'apps/console');
buildIfStale('@tongxin/mobile', 'apps/mobile');

const server = spawn(process.execPath, ['--import', 'tsx', join(root, 'apps/server/src/main.ts')], { cwd: root, stdio: 'inherit' });
// Ctrl-C reaches the server directly (same process group); we only wait for it to finish.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => server.kill('SIGTERM'));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
