/**
 * `node -r @swc-node/register bench/idle-probe.ts`: what metering and the ledger cost when
 * nothing happens. Starts both on the real broker and database, lets them settle for
 * IDLE_SETTLE_SECONDS (15), then prints the CPU each process used per second over
 * IDLE_SECONDS (20): polling consumers, relays and timers, which every request measured on a
 * busy machine shares.
 */
import { ServiceHarness } from '@tally/testing';
import { cpuSnapshot, cpuSpent } from './cpu';

const SETTLE_SECONDS = Number(process.env['IDLE_SETTLE_SECONDS'] ?? 15);
const SECONDS = Number(process.env['IDLE_SECONDS'] ?? 20);

async function main(): Promise<void> {
  const harness = new ServiceHarness(undefined, { DB_POOL_SIZE: '8', KAFKA_PARTITIONS: '12' });
  await harness.start('metering', 'ledger');
  const [metering] = harness.running('metering');
  const [ledger] = harness.running('ledger');
  await new Promise((resolve) => setTimeout(resolve, SETTLE_SECONDS * 1000));
  const before = cpuSnapshot(metering!.pid, ledger!.pid);
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  // cpuSpent gives µs per unit: per second here, shown as ms.
  const spent = cpuSpent(before, cpuSnapshot(metering!.pid, ledger!.pid), SECONDS);
  const msPerSecond = Object.fromEntries(
    Object.entries(spent).map(([part, us]) => [part, Math.round(us / 100) / 10]),
  );
  console.log(JSON.stringify({ idle_cpu_ms_per_s: msPerSecond }));
  await harness.stop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
