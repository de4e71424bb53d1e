import { Injectable } from '@nestjs/common';
import { defaultCatalog, rateUsage } from '@tally/budget-domain';
import type { PriceCatalog } from '@tally/budget-domain';
import type { UsageEvent, UsageRated } from '@tally/budget-domain';

/** Prices usage events with the catalog in force; the catalog can be replaced at run time. */
@Injectable()
export class RatingService {
  private catalog: PriceCatalog = defaultCatalog();

  get priceVersion(): string {
    return this.catalog.version;
  }

  /** Events rated afterwards use the new catalog and carry its version. */
  replaceCatalog(catalog: PriceCatalog): void {
    this.catalog = catalog;
  }

  rate(event: UsageEvent): UsageRated {
    return rateUsage(event, this.catalog);
  }
}
