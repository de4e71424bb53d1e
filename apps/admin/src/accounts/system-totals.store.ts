import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AlertLevel } from '@tally/budget-domain';
import { Decimal } from 'decimal.js';

/** Changes to the system counters one transaction made. */
export interface TotalsDelta {
  accounts: number;
  extraCreditRemaining: Decimal;
  levels: Record<AlertLevel, number>;
}

export function emptyTotalsDelta(): TotalsDelta {
  return {
    accounts: 0,
    extraCreditRemaining: new Decimal(0),
    levels: { GREEN: 0, YELLOW: 0, ORANGE: 0, RED: 0, CRITICAL: 0 },
  };
}

export interface SystemTotals {
  accounts: string;
  extra_credit_remaining: string;
  level_green: string;
  level_yellow: string;
  level_orange: string;
  level_red: string;
  level_critical: string;
}

/**
 * The system counters (one row). Writers add to them last in their transaction, after every
 * tenant row, so two transactions never wait on each other in opposite orders.
 */
@Injectable()
export class SystemTotalsStore {
  async add(manager: EntityManager, delta: TotalsDelta): Promise<void> {
    const levels = delta.levels;
    const unchanged =
      delta.accounts === 0 &&
      delta.extraCreditRemaining.isZero() &&
      Object.values(levels).every((count) => count === 0);
    if (unchanged) return;
    await manager.query(
      `UPDATE system_totals SET
         accounts = accounts + $1,
         extra_credit_remaining = extra_credit_remaining + $2,
         level_green = level_green + $3,
         level_yellow = level_yellow + $4,
         level_orange = level_orange + $5,
         level_red = level_red + $6,
         level_critical = level_critical + $7
       WHERE id = 1`,
      [
        delta.accounts,
        delta.extraCreditRemaining.toFixed(),
        levels.GREEN,
        levels.YELLOW,
        levels.ORANGE,
        levels.RED,
        levels.CRITICAL,
      ],
    );
  }

  async read(manager: EntityManager): Promise<SystemTotals> {
    const [totals]: SystemTotals[] = await manager.query(
      `SELECT accounts, extra_credit_remaining, level_green, level_yellow, level_orange,
              level_red, level_critical
       FROM system_totals WHERE id = 1`,
    );
    if (!totals) throw new Error('system_totals has no row: the migration inserts it');
    return totals;
  }
}
