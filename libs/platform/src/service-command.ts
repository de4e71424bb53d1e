/**
 * The node arguments that run a Tally service, for every launcher (tests, bench, `npm start`):
 * its compiled entry point in dist/ (`npm run build`, ADR 0008), with stack traces mapped back
 * to the TypeScript source.
 *
 * The young generation is pinned at 16 MB per semi-space (V8's default on a 64-bit machine
 * with enough memory, smaller on a small one). 32 MB once cut CPU per event by about a
 * quarter, but no longer does: on 2026-11-30, three pairs of 200,000-event bench runs gave
 * 343–376 µs of machine CPU per event with 16 MB and 356–372 with 32, while peak RSS fell from
 * 281–307 to 239–246 MB (metering) and from 265–270 to 239–243 MB (ledger).
 *
 * After a full GC the old generation may grow to twice what survived
 * (`--heap-growing-percent=100`; V8 otherwise picks up to four times under a high allocation
 * rate): in the 200,000-event benchmark peak RSS fell from 442/397 MB to 309/281 MB (metering/
 * ledger) at the same CPU per event; 50 % gave 282/267 MB but cost a fifth more CPU. V8 reads
 * these only at start-up, and NODE_OPTIONS refuses the second: containers and `nx serve` start
 * through infra/exec-service.sh, which execs node with these arguments.
 */
export function serviceNodeArgs(service: string): string[] {
  return [
    '--max-semi-space-size=16',
    '--heap-growing-percent=100',
    '--enable-source-maps',
    `dist/apps/${service}/src/main.js`,
  ];
}
