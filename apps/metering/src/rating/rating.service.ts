import { Inject, Injectable } from '@nestjs/common';
import type { OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { rateUsage } from '@tally/budget-domain';
import type { PriceCatalog, UsageEvent, UsageRated } from '@tally/budget-domain';
import { PriceCatalogSource, gauge } from '@tally/platform';
import type { MeteringConfig } from '../config/metering.config';
import { METERING_CONFIG } from '../config/metering.tokens';

const catalogInfo = gauge('tally_metering_catalog_info', 'The price catalog in force (value 1)', [
  'version',
]);

/**
 * Prices usage events with the catalog in force: the default catalog plus the entries of
 * METERING_CATALOG_FILE, re-read whenever the file changes (PriceCatalogSource).
 */
@Injectable()
export class RatingService implements OnModuleInit, OnModuleDestroy {
  private readonly catalogs: PriceCatalogSource;

  constructor(@Inject(METERING_CONFIG) config: MeteringConfig) {
    this.catalogs = new PriceCatalogSource(config.rating.catalogFile, (catalog) => {
      catalogInfo.reset();
      catalogInfo.set({ version: catalog.version }, 1);
    });
  }

  get priceVersion(): string {
    return this.catalogs.catalog.version;
  }

  onModuleInit(): void {
    this.catalogs.start();
  }

  onModuleDestroy(): void {
    this.catalogs.stop();
  }

  /** Events rated afterwards use the new catalog and carry its version. */
  replaceCatalog(catalog: PriceCatalog): void {
    this.catalogs.replace(catalog);
  }

  rate(event: UsageEvent): UsageRated {
    return rateUsage(event, this.catalogs.catalog);
  }
}
