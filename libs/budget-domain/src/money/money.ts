import { Decimal } from 'decimal.js';
import { InvalidAmountError, formatAmount, parseAmount } from './amount';
import { minorUnitsOf } from './currency';

export class CurrencyMismatchError extends Error {
  readonly code = 'CURRENCY_MISMATCH';
}

/**
 * An exact amount of one currency. Arithmetic is exact (decimal.js); rounding half-even to
 * the currency's minor unit happens only in round()/toMinorUnitString(), when presenting or
 * charging.
 */
export class Money {
  private constructor(
    readonly amount: Decimal,
    readonly currency: string,
  ) {}

  /** From a decimal string or a Decimal; JSON numbers are refused. */
  static of(amount: string | Decimal, currency = 'USD'): Money {
    minorUnitsOf(currency);
    const value = amount instanceof Decimal ? amount : parseAmount(amount);
    return new Money(value, currency);
  }

  static zero(currency = 'USD'): Money {
    return Money.of(new Decimal(0), currency);
  }

  static sum(items: readonly Money[], currency = 'USD'): Money {
    return items.reduce((total, item) => total.plus(item), Money.zero(currency));
  }

  plus(other: Money): Money {
    return new Money(this.amount.plus(this.same(other).amount), this.currency);
  }

  minus(other: Money): Money {
    return new Money(this.amount.minus(this.same(other).amount), this.currency);
  }

  /** Multiplies by a quantity or rate (a decimal string, a Decimal, or an integer count). */
  times(factor: string | number | Decimal): Money {
    if (typeof factor === 'number' && !Number.isInteger(factor)) {
      throw new InvalidAmountError(
        'multiply by a decimal string or Decimal, not a fractional JS number',
      );
    }
    return new Money(this.amount.times(factor), this.currency);
  }

  negated(): Money {
    return new Money(this.amount.negated(), this.currency);
  }

  isZero(): boolean {
    return this.amount.isZero();
  }

  isNegative(): boolean {
    return this.amount.isNegative() && !this.amount.isZero();
  }

  isPositive(): boolean {
    return this.amount.isPositive() && !this.amount.isZero();
  }

  compare(other: Money): -1 | 0 | 1 {
    return this.amount.comparedTo(this.same(other).amount) as -1 | 0 | 1;
  }

  equals(other: Money): boolean {
    return this.currency === other.currency && this.amount.equals(other.amount);
  }

  greaterThan(other: Money): boolean {
    return this.compare(other) > 0;
  }

  lessThan(other: Money): boolean {
    return this.compare(other) < 0;
  }

  min(other: Money): Money {
    return this.lessThan(other) ? this : other;
  }

  max(other: Money): Money {
    return this.greaterThan(other) ? this : other;
  }

  /** Rounded half-even to the currency's minor unit (cents for USD): for charging and display. */
  round(): Money {
    return new Money(
      this.amount.toDecimalPlaces(minorUnitsOf(this.currency), Decimal.ROUND_HALF_EVEN),
      this.currency,
    );
  }

  /**
   * Splits into parts proportional to the weights without losing or creating a unit of
   * `scale` decimals (default: the currency's minor unit): the remainder goes one unit at a
   * time to the largest fractional shares. The parts always add up to the amount rounded
   * to that scale.
   */
  allocate(weights: readonly (number | string)[], scale = minorUnitsOf(this.currency)): Money[] {
    if (weights.length === 0) throw new InvalidAmountError('allocate needs at least one weight');
    const ratios = weights.map((weight) => new Decimal(weight));
    if (ratios.some((ratio) => ratio.isNegative()))
      throw new InvalidAmountError('weights must not be negative');
    const totalWeight = ratios.reduce((sum, ratio) => sum.plus(ratio), new Decimal(0));
    if (totalWeight.isZero()) throw new InvalidAmountError('weights must not all be zero');
    const unit = new Decimal(10).pow(-scale);
    const total = this.amount.toDecimalPlaces(scale, Decimal.ROUND_HALF_EVEN);
    const units = total.dividedBy(unit);
    const shares = ratios.map((ratio, index) => {
      const exact = units.times(ratio).dividedBy(totalWeight);
      const floor = exact.toDecimalPlaces(0, Decimal.ROUND_FLOOR);
      return { index, floor, fraction: exact.minus(floor) };
    });
    // Floors never exceed the exact shares, so the remainder is a whole number of units in
    // [0, parts): hand them out one each, largest fraction first.
    const remainder = units
      .minus(shares.reduce((sum, share) => sum.plus(share.floor), new Decimal(0)))
      .toNumber();
    const topUp = new Set(
      [...shares]
        .sort((a, b) => b.fraction.comparedTo(a.fraction) || a.index - b.index)
        .slice(0, remainder)
        .map((share) => share.index),
    );
    return shares.map(
      ({ index, floor }) =>
        new Money((topUp.has(index) ? floor.plus(1) : floor).times(unit), this.currency),
    );
  }

  /** Splits into `count` parts that differ by at most one unit. */
  split(count: number, scale?: number): Money[] {
    if (!Number.isInteger(count) || count < 1)
      throw new InvalidAmountError('split into at least one part');
    return this.allocate(
      Array.from({ length: count }, () => 1),
      scale,
    );
  }

  /** The exact amount on the wire ("0.000450"). */
  toString(): string {
    return formatAmount(this.amount);
  }

  /** The amount rounded to the minor unit, with exactly that many decimals ("12.30"). */
  toMinorUnitString(): string {
    return this.round().amount.toFixed(minorUnitsOf(this.currency));
  }

  toJSON(): string {
    return this.toString();
  }

  private same(other: Money): Money {
    if (other.currency !== this.currency) {
      throw new CurrencyMismatchError(`cannot combine ${this.currency} with ${other.currency}`);
    }
    return other;
  }
}
