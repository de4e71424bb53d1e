// Builds the dashboard (apps/dashboard, Vite) into dist/apps/dashboard, which admin serves at
// GET /. Skips the build when the output is newer than every source file, so `npm start`,
// the service tests and `node infra/build.js` can call it freely; `--force` always builds.
// A new build is written beside the old one and swapped in, so a server reading the
// directory meanwhile never sees it half-written.
const { execFileSync } = require('node:child_process');
const { existsSync, readdirSync, renameSync, rmSync, statSync } = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const APP = path.join(ROOT, 'apps/dashboard');
const OUT = path.join(ROOT, 'dist/apps/dashboard');
const INPUTS = ['src', 'index.html', 'vite.config.mjs', 'tsconfig.json'];

function newestSourceMs() {
  let newest = statSync(__filename).mtimeMs;
  const visit = (entry) => {
    const stat = statSync(entry);
    if (stat.isDirectory()) for (const child of readdirSync(entry)) visit(path.join(entry, child));
    else if (!/\.spec\.tsx?$/.test(entry)) newest = Math.max(newest, stat.mtimeMs);
  };
  for (const input of INPUTS) visit(path.join(APP, input));
  return newest;
}

function builtMs() {
  const index = path.join(OUT, 'index.html');
  return existsSync(index) ? statSync(index).mtimeMs : 0;
}

function buildDashboard({ force = false } = {}) {
  if (!force && builtMs() > newestSourceMs()) return false;
  const staging = `${OUT}.building-${process.pid}`;
  const retired = `${OUT}.old-${process.pid}`;
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', path.join(APP, 'tsconfig.json'), '--noEmit'],
    { cwd: ROOT, stdio: 'inherit' },
  );
  execFileSync(
    process.execPath,
    [
      path.join(path.dirname(require.resolve('vite/package.json')), 'bin/vite.js'),
      'build',
      '--config',
      path.join(APP, 'vite.config.mjs'),
    ],
    { cwd: ROOT, stdio: 'inherit', env: { ...process.env, DASHBOARD_OUT_DIR: staging } },
  );
  if (existsSync(OUT)) renameSync(OUT, retired);
  try {
    renameSync(staging, OUT);
  } catch (error) {
    // Another process built the same sources and swapped its copy in first.
    if (!existsSync(path.join(OUT, 'index.html'))) throw error;
    rmSync(staging, { recursive: true, force: true });
  }
  rmSync(retired, { recursive: true, force: true });
  return true;
}

module.exports = { buildDashboard, DASHBOARD_DIR: OUT };

if (require.main === module) {
  const built = buildDashboard({ force: process.argv.includes('--force') });
  console.log(`dashboard: ${built ? 'built into' : 'up to date in'} ${path.relative(ROOT, OUT)}/`);
}
