/**
 * The node arguments that run a Tally service, for every launcher (tests, bench, `npm start`):
 * its compiled entry point in dist/ (`npm run build`, ADR 0008), with stack traces mapped back
 * to the TypeScript source. A 32 MB young generation (V8's default is 16 MB) lets a consumed
 * batch die young instead of being copied: in the benchmark it cut the services' CPU per event
 * by about a quarter. V8 reads it only at start-up; the Dockerfile sets the same flags through
 * NODE_OPTIONS.
 */
export function serviceNodeArgs(service: string): string[] {
  return ['--max-semi-space-size=32', '--enable-source-maps', `dist/apps/${service}/src/main.js`];
}
