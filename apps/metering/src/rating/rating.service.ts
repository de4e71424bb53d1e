import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { defaultCatalog, parseCatalogFile, rateUsage } from '@tally/budget-domain';
import type { PriceCatalog, UsageEvent, UsageRated } from '@tally/budget-domain';
import { gauge } from '@tally/platform';
import type { MeteringConfig } from '../config/metering.config';
import { METERING_CONFIG } from '../config/metering.tokens';

const catalogInfo = gauge('tally_metering_catalog_info', 'The price catalog in force (value 1)', ['version']);

/**
 * Prices usage events with the catalog in force: the default catalog (genai-prices data and
 * local entries) plus the entries of METERING_CATALOG_FILE, re-read whenever the file
 * changes. A broken file is refused with its reason and the previous catalog stays.
 */
@Injectable()
export class RatingService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RatingService.name);
  private catalog: PriceCatalog = defaultCatalog();

  constructor(@Inject(METERING_CONFIG) private readonly config: MeteringConfig) {}

  get priceVersion(): string {
    return this.catalog.version;
  }

  onModuleInit(): void {
    const file = this.config.rating.catalogFile;
    if (!file) return this.publishVersion();
    this.loadCatalogFile(file, { failHard: true });
    watchFile(file, { interval: 500 }, () => this.loadCatalogFile(file, { failHard: false }));
  }

  onModuleDestroy(): void {
    if (this.config.rating.catalogFile) unwatchFile(this.config.rating.catalogFile);
  }

  /** Events rated afterwards use the new catalog and carry its version. */
  replaceCatalog(catalog: PriceCatalog): void {
    this.catalog = catalog;
    this.publishVersion();
  }

  rate(event: UsageEvent): UsageRated {
    return rateUsage(event, this.catalog);
  }

  private loadCatalogFile(file: string, { failHard }: { failHard: boolean }): void {
    try {
      const { version, entries } = parseCatalogFile(readFileSync(file));
      this.replaceCatalog(defaultCatalog().withEntries(entries, version));
      this.logger.log(`price catalog ${this.catalog.version} loaded from ${file}`);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (failHard) throw new Error(`cannot load the price catalog from ${file}: ${reason}`);
      this.logger.error(`kept price catalog ${this.catalog.version}: ${file} was refused: ${reason}`);
    }
  }

  private publishVersion(): void {
    catalogInfo.reset();
    catalogInfo.set({ version: this.catalog.version }, 1);
  }
}
