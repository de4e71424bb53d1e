// `npm run build`: compiles the services and libraries to dist/ (same layout, .js beside
// .js.map) with SWC, the same settings Jest uses. Services run from dist/ (ADR 0008): loading
// a TypeScript register at run time cost each process about 50 MB. Type checking stays
// `npm run typecheck`. Takes well under a second, plus a few seconds when the dashboard's
// sources changed (a browser app built by Vite, infra/build-dashboard.js, not a service).
const { mkdirSync, readdirSync, renameSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const { transformFileSync } = require('@swc/core');
const { swcOptions } = require('../swc.options');
const { buildDashboard } = require('./build-dashboard');

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'dist');
const SOURCES = ['apps', 'libs'];
const BROWSER_APPS = new Set(['dashboard']);
// Scripts outside apps/ and libs/ that run from dist/ too (the Kubernetes migration step).
const SCRIPTS = ['infra/migrate.ts'];
const isTest = (file) => /\.(spec|integration-spec)\.ts$/.test(file);

function* typescriptFiles(directory) {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) yield* typescriptFiles(full);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') && !isTest(entry.name))
      yield full;
  }
}

/** Writes through a temporary file, so a process starting meanwhile never loads half a file. */
function writeAtomically(file, content) {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, file);
}

function compile(file) {
  const target = path.join(OUT, path.relative(ROOT, file)).replace(/\.ts$/, '.js');
  const { code, map } = transformFileSync(file, {
    ...swcOptions(true),
    sourceFileName: path.relative(path.dirname(target), file),
  });
  mkdirSync(path.dirname(target), { recursive: true });
  writeAtomically(target, `${code}\n//# sourceMappingURL=${path.basename(target)}.map\n`);
  if (map) writeAtomically(`${target}.map`, map);
}

let count = 0;
for (const top of SOURCES) {
  for (const project of readdirSync(path.join(ROOT, top))) {
    if (top === 'apps' && BROWSER_APPS.has(project)) continue;
    for (const file of typescriptFiles(path.join(ROOT, top, project, 'src'))) {
      compile(file);
      count += 1;
    }
  }
}
for (const script of SCRIPTS) {
  compile(path.join(ROOT, script));
  count += 1;
}
console.log(`build: ${count} files compiled to ${path.relative(ROOT, OUT)}/`);
if (buildDashboard()) console.log('build: dashboard built into dist/apps/dashboard/');
