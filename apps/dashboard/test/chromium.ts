import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext } from 'playwright-core';

// Debian's Chromium: playwright's own browser download cannot reach its host on these
// machines, and CI runs on a fresh machine of the same kind (STACK.md).
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Installs Chromium from Debian packages unless it is there (CI machines start without it):
 * as root, or through sudo when it needs no password, as .ci/install-tools.sh does.
 */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  const asRoot = process.getuid?.() === 0;
  if (!asRoot && !sudoWithoutPassword()) {
    throw new Error(`${CHROMIUM} is missing: run \`sudo apt-get install -y chromium\` first`);
  }
  const run = (args: string[]) =>
    // sudo resets the environment: the frontend setting goes through `env`.
    execFileSync(
      asRoot ? 'apt-get' : 'sudo',
      asRoot ? args : ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args],
      {
        stdio: 'inherit',
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      },
    );
  console.log('browser tests: installing chromium from Debian packages (apt-get)…');
  run(['update', '-qq']);
  run(['install', '-y', '-qq', 'chromium']);
  if (!existsSync(CHROMIUM))
    throw new Error(`apt-get installed chromium but ${CHROMIUM} is missing`);
}

function sudoWithoutPassword(): boolean {
  try {
    execFileSync('sudo', ['-n', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Headless Chromium with a new, empty profile and nothing that phones home (updates, sync,
 * background networking), so a run depends on nothing but the page under test.
 */
export async function launchChromium(): Promise<Browser> {
  const profile = mkdtempSync(path.join(tmpdir(), 'tally-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1400, height: 900 },
    deviceScaleFactor: 1,
    locale: 'en-GB',
    timezoneId: 'UTC',
    acceptDownloads: true,
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
