import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Decimal } from 'decimal.js';

export interface CatalogEntry {
  readonly provider: string;
  readonly model: string;
  readonly prices: Record<string, string>;
}

/** A price catalog file (METERING_CATALOG_FILE, LEDGER_CATALOG_FILE) of its own, in a new directory. */
export function priceCatalogFile(version: string, entries: readonly CatalogEntry[]): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), `tally-${version}-`)), 'prices.json');
  writeFileSync(file, JSON.stringify({ version, entries }));
  return file;
}

/**
 * An amount as every Tally service writes it: exact, at least 6 decimals. Worked out here, not
 * by the services' own formatter, so that a test comparing with it checks that formatter too.
 */
export function wireAmount(amount: Decimal.Value): string {
  const exact = new Decimal(amount);
  return exact.toFixed(Math.max(6, exact.decimalPlaces()));
}
