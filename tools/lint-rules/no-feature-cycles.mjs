// A service is grouped by feature folder (apps/<app>/src/<feature>/). Features may build on
// one another, but never in a circle: an import from a folder into one that imports it back,
// directly or through other folders, is refused, so the dependency order stays readable.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const IMPORT = /(?:^|[\s;])(?:import|export)\s(?:[^'";]*?\sfrom\s*)?['"]([^'"]+)['"]/g;
const CACHE_MS = 2000;
const graphs = new Map();

/** apps/<app>/src and the feature folder of a file in it, or undefined outside a feature folder. */
export function featureOf(file) {
  const match = /^(.*[\\/]apps[\\/][^\\/]+[\\/]src)[\\/]([^\\/]+)[\\/]/.exec(file);
  return match ? { root: match[1], feature: match[2] } : undefined;
}

function isSource(file) {
  return file.endsWith('.ts') && !/\.(spec|integration-spec|e2e-spec)\.ts$/.test(file);
}

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return isSource(full) ? [full] : [];
  });
}

/** The feature a relative import from `file` lands in, or undefined. */
function targetFeature(root, file, specifier) {
  if (!specifier.startsWith('.')) return undefined;
  const relative = path.relative(root, path.resolve(path.dirname(file), specifier));
  const [first, ...rest] = relative.split(path.sep);
  return rest.length > 0 && first !== '..' ? first : undefined;
}

/** Feature -> the features its source files import (from disk, specs left out). */
export function featureGraph(root) {
  const cached = graphs.get(root);
  if (cached && Date.now() - cached.at < CACHE_MS) return cached.graph;
  const graph = new Map();
  for (const file of sourceFiles(root)) {
    const from = featureOf(file)?.feature;
    if (!from) continue;
    const edges = graph.get(from) ?? new Set();
    graph.set(from, edges);
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const to = targetFeature(root, file, specifier);
      if (to && to !== from) edges.add(to);
    }
  }
  graphs.set(root, { graph, at: Date.now() });
  return graph;
}

/** A path of features from `from` to `to`, or undefined when `to` is not reachable. */
export function pathBetween(graph, from, to) {
  const queue = [[from]];
  const seen = new Set([from]);
  while (queue.length > 0) {
    const trail = queue.shift();
    for (const next of graph.get(trail[trail.length - 1]) ?? []) {
      if (next === to) return [...trail, next];
      if (!seen.has(next)) {
        seen.add(next);
        queue.push([...trail, next]);
      }
    }
  }
  return undefined;
}

export default {
  meta: {
    type: 'problem',
    docs: { description: 'Feature folders of a service must not import one another in a circle' },
    schema: [],
    messages: {
      cycle:
        "'{{from}}' imports '{{to}}', which imports '{{from}}' back ({{trail}}): move what both need into a lower folder",
    },
  },
  create(context) {
    const file = context.filename;
    const own = featureOf(file);
    if (!own || !isSource(file)) return {};
    const check = (node) => {
      const specifier = node.source?.value;
      if (typeof specifier !== 'string') return;
      const to = targetFeature(own.root, file, specifier);
      if (!to || to === own.feature) return;
      const back = pathBetween(featureGraph(own.root), to, own.feature);
      if (back) {
        context.report({
          node: node.source,
          messageId: 'cycle',
          data: { from: own.feature, to, trail: [own.feature, ...back].join(' -> ') },
        });
      }
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check };
  },
};
