import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { Logger } from '@nestjs/common';
import { defaultCatalog, parseCatalogFile } from '@tally/budget-domain';
import type { PriceCatalog } from '@tally/budget-domain';

/**
 * The catalog file named by the variable, read and parsed once at configuration: a missing or
 * broken file is refused in one line naming the variable, not met by the start and retried.
 */
export function catalogFileFromEnv(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const file = env[name];
  if (!file) return undefined;
  try {
    parseCatalogFile(readFileSync(file));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${name}: cannot load the price catalog from ${file}: ${reason}`);
  }
  return file;
}

/**
 * The price catalog a service prices with: the default catalog (genai-prices data and local
 * entries) plus the entries of a catalog file, re-read whenever the file changes. Metering
 * rates usage with it and the ledger prices the holds of model estimates with it, so both
 * must be given the same file. A missing or broken file fails the start; a broken change is
 * refused with its reason and the catalog in force stays.
 */
export class PriceCatalogSource {
  private readonly logger = new Logger(PriceCatalogSource.name);
  private current: PriceCatalog = defaultCatalog();

  /** `onChange` hears of every catalog put in force, the first one included. */
  constructor(
    private readonly file: string | undefined,
    private readonly onChange: (catalog: PriceCatalog) => void = () => undefined,
  ) {}

  get catalog(): PriceCatalog {
    return this.current;
  }

  start(): void {
    const file = this.file;
    if (!file) return this.onChange(this.current);
    this.load(file, { failHard: true });
    watchFile(file, { interval: 500 }, () => this.load(file, { failHard: false }));
  }

  stop(): void {
    if (this.file) unwatchFile(this.file);
  }

  /** Puts a catalog in force (tests, or a catalog from elsewhere than the file). */
  replace(catalog: PriceCatalog): void {
    this.current = catalog;
    this.onChange(catalog);
  }

  private load(file: string, { failHard }: { failHard: boolean }): void {
    try {
      const { version, entries } = parseCatalogFile(readFileSync(file));
      this.replace(defaultCatalog().withEntries(entries, version));
      this.logger.log(`price catalog ${version} loaded from ${file}`);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (failHard) throw new Error(`cannot load the price catalog from ${file}: ${reason}`);
      this.logger.error(
        `kept price catalog ${this.current.version}: ${file} was refused: ${reason}`,
      );
    }
  }
}
