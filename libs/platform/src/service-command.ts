/**
 * The node arguments that run a Tally service, for every launcher (tests, bench, `npm start`):
 * its compiled entry point in dist/ (`npm run build`, ADR 0008), with stack traces mapped back
 * to the TypeScript source. A 32 MB young generation (V8's default is 16 MB) lets a consumed
 * batch die young instead of being copied: in the benchmark it cut the services' CPU per event
 * by about a quarter. After a full GC the old generation may grow to twice what survived
 * (`--heap-growing-percent=100`; V8 otherwise picks up to four times under a high allocation
 * rate): in the 200,000-event benchmark peak RSS fell from 442/397 MB to 309/281 MB (metering/
 * ledger) at the same CPU per event; 50 % gave 282/267 MB but cost a fifth more CPU. V8 reads
 * these only at start-up, and NODE_OPTIONS refuses the second: containers and `nx serve` start
 * through infra/exec-service.sh, which execs node with these arguments.
 */
export function serviceNodeArgs(service: string): string[] {
  return ['--max-semi-space-size=32', '--heap-growing-percent=100', '--enable-source-maps', `dist/apps/${service}/src/main.js`];
}
