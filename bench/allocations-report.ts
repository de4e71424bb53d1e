/*
 * `node -r @swc-node/register bench/allocations-report.ts FILE [EVENTS]`: what a service
 * allocated, from the `.heapprofile` it wrote with TALLY_CPU_PROFILE=<dir> and
 * TALLY_HEAP_PROFILE=all: by package, by function, and Node's and V8's own allocations by the
 * code that called into them. Per event when EVENTS (the events the service handled) is given.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

/** A node and the nearest frame above it that is the project's or a package's code. */
interface Visit {
  node: ProfileNode;
  caller: string;
}

const [file, events] = process.argv.slice(2);
if (!file) throw new Error('usage: allocations-report.ts FILE [EVENTS]');
const root = (JSON.parse(readFileSync(file, 'utf8')) as { head: ProfileNode }).head;
const perUnit = events ? Number(events) : 1;

const byPackage = new Map<string, number>();
const byFunction = new Map<string, number>();
/** Node's and V8's own allocations, by the code that called into them. */
const byCaller = new Map<string, number>();
let total = 0;
const add = (into: Map<string, number>, key: string, bytes: number) =>
  into.set(key, (into.get(key) ?? 0) + bytes);

for (const stack: Visit[] = [{ node: root, caller: '(root)' }]; stack.length > 0;) {
  const { node, caller } = stack.pop()!;
  const { functionName, url, lineNumber } = node.callFrame;
  const name = `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}`;
  const own = isOwnCode(url);
  for (const child of node.children) stack.push({ node: child, caller: own ? name : caller });
  if (node.selfSize === 0) continue;
  total += node.selfSize;
  add(byPackage, packageOf(url), node.selfSize);
  add(byFunction, name, node.selfSize);
  if (!own) add(byCaller, `${functionName || '(anonymous)'} <- ${caller}`, node.selfSize);
}

function isOwnCode(url: string): boolean {
  return url !== '' && !url.startsWith('node:');
}

/** The npm package, the Tally project (apps/x, libs/x), or Node's own code a script belongs to. */
function packageOf(url: string): string {
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inModules) return inModules[1]!;
  const inProject = /dist\/((?:apps|libs)\/[^/]+)/.exec(url);
  if (inProject) return inProject[1]!;
  if (url.startsWith('node:')) return 'node';
  return url === '' ? '(V8 and native)' : url;
}

function shortUrl(url: string): string {
  return url.replace(/^.*node_modules\//, '').replace(/^.*dist\//, '');
}

const unit = events ? 'bytes per event' : 'bytes';
const print = (title: string, rows: Map<string, number>, limit: number) => {
  console.log(`\n${title}`);
  for (const [key, bytes] of [...rows].sort((a, b) => b[1] - a[1]).slice(0, limit)) {
    const share = ((100 * bytes) / total).toFixed(1).padStart(5);
    console.log(
      `${share} %  ${Math.round(bytes / perUnit)
        .toString()
        .padStart(9)}  ${key}`,
    );
  }
};
console.log(`allocated: ${Math.round(total / perUnit)} ${unit}`);
print('by package', byPackage, 15);
print('by function', byFunction, 40);
print("Node's and V8's, by caller", byCaller, 25);
