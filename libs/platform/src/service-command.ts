/**
 * The node arguments that run a Tally service, for every launcher (tests, bench, `npm start`):
 * its compiled entry point in dist/ (`npm run build`, ADR 0008), with stack traces mapped back
 * to the TypeScript source. A 16 MB young generation and `--heap-growing-percent=100` keep peak
 * RSS under the 300 MB target at the same CPU per event (measurements: docs/benchmarks). V8
 * reads both only at start-up and NODE_OPTIONS refuses the second, so containers and
 * `nx serve` start through infra/exec-service.sh.
 */
export function serviceNodeArgs(service: string): string[] {
  return [
    '--max-semi-space-size=16',
    '--heap-growing-percent=100',
    '--enable-source-maps',
    `dist/apps/${service}/src/main.js`,
  ];
}
