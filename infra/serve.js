// `npx nx serve <service>` (node infra/serve.js <service>): builds dist/, then runs the service
// with the node arguments every launcher uses (libs/platform serviceNodeArgs).
const { spawn } = require('node:child_process');
const path = require('node:path');

require('./build');
const { serviceNodeArgs } = require('../dist/libs/platform/src/service-command');

const service = process.argv[2];
if (!service) {
  console.error('usage: node infra/serve.js <service>');
  process.exit(2);
}
const child = spawn(process.execPath, serviceNodeArgs(service), { cwd: path.resolve(__dirname, '..'), stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
