import { Decimal } from 'decimal.js';
import {
  InvalidCreditRateError,
  MAX_EVENT_AMOUNT,
  chargeableDecimalsOf,
  creditForPayment,
  minorUnitsOf,
  parseCreditRate,
  toMinorUnits,
} from '@tally/budget-domain';
import type { CreditRate } from '@tally/budget-domain';
import type { DatabaseConfig } from '@tally/persistence';
import { databaseConfigFromEnv } from '@tally/persistence';
import type { KafkaConfig } from '@tally/messaging';
import { kafkaConfigFromEnv } from '@tally/messaging';
import { portFromEnv, switchFromEnv, timerMs, urlFromEnv } from '@tally/platform';
import { stripeMinimumCharge } from './stripe-minimum-charge';

export interface StripeConfig {
  /** STRIPE_SECRET_KEY; without one top-up runs dry (no Stripe call at all). */
  readonly secretKey?: string;
  /**
   * STRIPE_WEBHOOK_SECRET; without one every webhook is refused (nothing can be verified), so
   * top-up starts without it only dry or with a blocked live key (ADR 0114).
   */
  readonly webhookSecret?: string;
  /** STRIPE_API_URL: a local Stripe-compatible server (tests, demos) instead of api.stripe.com. */
  readonly apiUrl?: string;
  /** stripe-node's own retries (with our idempotency key); none against a local server. */
  readonly maxNetworkRetries: number;
}

/** Everything top-up reads from the environment, validated once at boot (DESIGN 5). */
export interface TopUpConfig {
  readonly port: number;
  readonly database: DatabaseConfig;
  readonly kafka: KafkaConfig;
  readonly stripe: StripeConfig;
  /** TOPUP_DRY_RUN (or no secret key): commands answer `dry_run: true`, Stripe is never called. */
  readonly dryRun: boolean;
  /** A live key (`sk_live_`, `rk_live_`) without TOPUP_ALLOW_LIVE: every command and charge is refused. */
  readonly liveBlocked: boolean;
  /** TOPUP_AUTO_ENABLED=false stops every automatic charge (the off switch). */
  readonly autoEnabled: boolean;
  /** TOPUP_PAID_CURRENCY: what customers pay in (upper-case ISO 4217). */
  readonly paidCurrency: string;
  /** TOPUP_CREDIT_RATE: USD credit per paid unit, "10/30" by default. */
  readonly creditRate: CreditRate;
  readonly checkout: {
    /** Smallest and largest amount one checkout may charge, in the paid currency. */
    readonly minPaid: Decimal;
    readonly maxPaid: Decimal;
    /** TOPUP_PACKS: named packs a checkout may ask for instead of an amount. */
    readonly packs: Readonly<Record<string, Decimal>>;
    /** Where Stripe sends the customer back; a request may name its own. */
    readonly successUrl: string;
    readonly cancelUrl: string;
  };
  /**
   * What a first saved payment method turns on: DESIGN 4's defaults, TOPUP_AUTO_AMOUNT_PAID and
   * TOPUP_AUTO_MONTHLY_LIMIT in another paid currency.
   */
  readonly autoDefaults: {
    readonly amountPaid: Decimal;
    readonly triggerBelowPercent: Decimal;
    readonly monthlyLimit: Decimal;
  };
  /** How long a claimed automatic charge waits before another attempt may retry it. */
  readonly chargeLeaseMs: number;
  /**
   * TOPUP_RECHECK_INTERVAL_MS: how often accounts announced in cooldown or at their monthly
   * limit are looked at again, to decide their last balance once time has lifted that (ADR 0058).
   */
  readonly recheckIntervalMs: number;
}

export function topUpConfigFromEnv(env: NodeJS.ProcessEnv = process.env): TopUpConfig {
  const secretKey = env['STRIPE_SECRET_KEY'] || undefined;
  if (secretKey !== undefined) checkStripeKey(secretKey);
  const webhookSecret = env['STRIPE_WEBHOOK_SECRET'] || undefined;
  if (webhookSecret !== undefined) checkWebhookSigningKey(webhookSecret);
  const apiUrl = env['STRIPE_API_URL'] || undefined;
  if (apiUrl) stripeEndpoint(apiUrl);
  const paidCurrency = (env['TOPUP_PAID_CURRENCY'] || 'CHF').toUpperCase();
  try {
    minorUnitsOf(paidCurrency);
  } catch {
    throw new Error(
      `TOPUP_PAID_CURRENCY must be an ISO 4217 currency Tally knows, got "${paidCurrency}"`,
    );
  }
  let creditRate: CreditRate;
  try {
    creditRate = parseCreditRate(env['TOPUP_CREDIT_RATE'] || '10/30');
  } catch (error) {
    throw new Error(
      `TOPUP_CREDIT_RATE: ${error instanceof InvalidCreditRateError ? error.message : String(error)}`,
    );
  }
  const minPaid = amount(env, 'TOPUP_MIN_PAID', '5', paidCurrency);
  const maxPaid = amount(env, 'TOPUP_MAX_PAID', '1000', paidCurrency);
  if (minPaid.greaterThan(maxPaid)) {
    throw new Error(
      `TOPUP_MIN_PAID must not exceed TOPUP_MAX_PAID: no checkout could be paid, got ${minPaid.toFixed()} and ${maxPaid.toFixed()}`,
    );
  }
  checkLargestPayment(maxPaid, paidCurrency, creditRate);
  checkStripeMinimum(minPaid, paidCurrency);
  const bounds = { minPaid, maxPaid, paidCurrency };
  const packs = packsFromEnv(env, bounds);
  const autoAmountPaid = amount(
    env,
    'TOPUP_AUTO_AMOUNT_PAID',
    '30',
    paidCurrency,
    chargeableDecimalsOf(paidCurrency),
  );
  checkWithinBounds('TOPUP_AUTO_AMOUNT_PAID', autoAmountPaid.toFixed(), autoAmountPaid, bounds);
  const autoMonthlyLimit = amount(env, 'TOPUP_AUTO_MONTHLY_LIMIT', '300', paidCurrency);
  if (autoMonthlyLimit.lessThan(autoAmountPaid)) {
    throw new Error(
      `TOPUP_AUTO_MONTHLY_LIMIT: ${autoMonthlyLimit.toFixed()} ${paidCurrency} is below TOPUP_AUTO_AMOUNT_PAID (${autoAmountPaid.toFixed()} ${paidCurrency}): no automatic top-up could ever be made`,
    );
  }
  const live = /^(sk|rk)_live_/.test(secretKey ?? '');
  const dryRun = switchFromEnv(env, 'TOPUP_DRY_RUN', false) || !secretKey;
  // Read whatever the key: a word that means nothing is refused before a live key meets it.
  const allowLive = switchFromEnv(env, 'TOPUP_ALLOW_LIVE', false);
  const liveBlocked = live && !allowLive;
  // A checkout is credited by its webhook alone: a key that charges without the secret takes
  // payments it can never credit (ADR 0114).
  if (!dryRun && !liveBlocked && !webhookSecret) {
    throw new Error(
      'STRIPE_WEBHOOK_SECRET must be set with STRIPE_SECRET_KEY: without it every webhook is refused and paid checkouts are never credited (TOPUP_DRY_RUN=true runs without Stripe)',
    );
  }
  return {
    port: portFromEnv(3002, env),
    database: databaseConfigFromEnv('topup', env),
    kafka: kafkaConfigFromEnv('tally-topup', env),
    stripe: {
      ...(secretKey ? { secretKey } : {}),
      ...(webhookSecret ? { webhookSecret } : {}),
      ...(apiUrl ? { apiUrl } : {}),
      maxNetworkRetries: apiUrl ? 0 : 2,
    },
    dryRun,
    liveBlocked,
    autoEnabled: switchFromEnv(env, 'TOPUP_AUTO_ENABLED', true),
    paidCurrency,
    creditRate,
    checkout: {
      minPaid,
      maxPaid,
      packs,
      successUrl: returnUrl(
        env,
        'TOPUP_SUCCESS_URL',
        'http://localhost:3000/topups/success?session_id={CHECKOUT_SESSION_ID}',
      ),
      cancelUrl: returnUrl(env, 'TOPUP_CANCEL_URL', 'http://localhost:3000/topups/cancel'),
    },
    autoDefaults: {
      amountPaid: autoAmountPaid,
      triggerBelowPercent: new Decimal(5),
      monthlyLimit: autoMonthlyLimit,
    },
    chargeLeaseMs: 60_000,
    recheckIntervalMs: timerMs(env, 'TOPUP_RECHECK_INTERVAL_MS', 60_000),
  };
}

/**
 * STRIPE_API_URL as stripe-node takes it. A proxy's URL may hold credentials, so a refusal
 * shows at most the scheme.
 */
export function stripeEndpoint(apiUrl: string): {
  host: string;
  port: number;
  protocol: 'http' | 'https';
} {
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    throw new Error(
      'STRIPE_API_URL must be a URL like http://127.0.0.1:12111, got text that is not a URL',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`STRIPE_API_URL must be http or https, got a ${url.protocol} URL`);
  }
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return {
    host: url.hostname,
    port: url.port ? Number(url.port) : protocol === 'http' ? 80 : 443,
    protocol,
  };
}

/**
 * A paid amount in the paid currency: positive and in its minor units (0.001 CHF cannot be
 * charged, and a checkout bound of it admits no amount a customer can pay). An amount that is
 * charged as it is (a pack, the auto top-up amount) takes the decimals Stripe charges (ADR 0140).
 */
function amount(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: string,
  paidCurrency: string,
  decimals = minorUnitsOf(paidCurrency),
): Decimal {
  return paidAmountOf(name, env[name] || fallback, paidCurrency, decimals);
}

function paidAmountOf(name: string, text: string, paidCurrency: string, decimals: number): Decimal {
  if (!/^\d{1,12}(\.\d{1,12})?$/.test(text) || new Decimal(text).isZero()) {
    throw new Error(`${name} must be a positive decimal amount, got "${text}"`);
  }
  const value = new Decimal(text);
  if (value.decimalPlaces() > decimals) {
    throw new Error(
      `${name} must be in ${paidCurrency} with at most ${decimals} decimals, got "${text}"`,
    );
  }
  return value;
}

interface CheckoutBounds {
  readonly minPaid: Decimal;
  readonly maxPaid: Decimal;
  readonly paidCurrency: string;
}

/** The pack names checkouts take, in the order TOPUP_PACKS gives their amounts. */
const PACK_NAMES = ['small', 'standard', 'large'] as const;

/**
 * TOPUP_PACKS: the small, standard and large packs, "10,30,90" (DESIGN 4's CHF figures) by
 * default. A pack is a checkout like any other: outside the checkout bounds it would be refused.
 */
function packsFromEnv(env: NodeJS.ProcessEnv, bounds: CheckoutBounds): Record<string, Decimal> {
  const text = env['TOPUP_PACKS'] || '10,30,90';
  const amounts = text.split(',').map((part) => part.trim());
  if (amounts.length !== PACK_NAMES.length) {
    throw new Error(
      `TOPUP_PACKS must be three amounts, the ${PACK_NAMES.join(', ')} packs, such as "10,30,90", got "${text}"`,
    );
  }
  const packs: Record<string, Decimal> = {};
  PACK_NAMES.forEach((name, index) => {
    const amountText = amounts[index] ?? '';
    const decimals = chargeableDecimalsOf(bounds.paidCurrency);
    const pack = paidAmountOf('TOPUP_PACKS', amountText, bounds.paidCurrency, decimals);
    checkWithinBounds('TOPUP_PACKS', `the ${name} pack of ${amountText}`, pack, bounds);
    packs[name] = pack;
  });
  return packs;
}

function checkWithinBounds(
  name: string,
  what: string,
  value: Decimal,
  { minPaid, maxPaid, paidCurrency }: CheckoutBounds,
): void {
  if (value.lessThan(minPaid) || value.greaterThan(maxPaid)) {
    throw new Error(
      `${name}: ${what} ${paidCurrency} is outside TOPUP_MIN_PAID..TOPUP_MAX_PAID (${minPaid.toFixed()} to ${maxPaid.toFixed()} ${paidCurrency})`,
    );
  }
}

/**
 * Below Stripe's minimum charge every checkout and automatic charge of that amount fails at
 * Stripe; the least a checkout may pay bounds every pack and the auto top-up amount too.
 */
function checkStripeMinimum(minPaid: Decimal, paidCurrency: string): void {
  const minimum = stripeMinimumCharge(paidCurrency);
  if (minimum && minPaid.lessThan(minimum.amount)) {
    throw new Error(
      `TOPUP_MIN_PAID: ${minPaid.toFixed()} ${paidCurrency} (TOPUP_PAID_CURRENCY=${paidCurrency}) is below ${minimum.text} ${paidCurrency}, the least Stripe charges; set TOPUP_MIN_PAID, TOPUP_MAX_PAID, TOPUP_PACKS, TOPUP_AUTO_AMOUNT_PAID and TOPUP_AUTO_MONTHLY_LIMIT in ${paidCurrency}`,
    );
  }
}

/** Where Checkout sends the customer back: Stripe takes only an absolute http(s) URL. */
function returnUrl(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const text = env[name] || fallback;
  urlFromEnv(name, text, ['http', 'https']);
  return text;
}

/**
 * An API key that can charge: a secret (sk_) or restricted (rk_) key of test or live mode. A
 * publishable key (pk_) charges nothing. The error shows the key's kind, never the key.
 */
function checkStripeKey(key: string): void {
  if (!/^(sk|rk)_(test|live)_\S+$/.test(key)) {
    const kind = /^[a-z]{2,5}_/.exec(key)?.[0];
    throw new Error(
      `STRIPE_SECRET_KEY must be a Stripe API key starting sk_test_, sk_live_, rk_test_ or rk_live_, got ${kind ? `one starting ${kind}` : 'another text'}`,
    );
  }
}

/** The endpoint's signing key, as Stripe shows it (whsec_…); the error never shows it. */
function checkWebhookSigningKey(key: string): void {
  if (!/^whsec_\S+$/.test(key)) {
    throw new Error(
      "STRIPE_WEBHOOK_SECRET must be the webhook endpoint's signing key starting whsec_ (the endpoint's page in Stripe's dashboard, or `stripe listen`)",
    );
  }
}

/** Stripe's amounts have at most eight digits of minor units (999,999.99 CHF). */
const STRIPE_MAX_AMOUNT_MINOR = 99_999_999;

/**
 * The largest checkout pays and credits at most what one payment may move on the wire: the
 * ledger would dead-letter a larger payment, and its credit would never arrive (ADR 0096).
 * Stripe must be able to charge it too.
 */
function checkLargestPayment(maxPaid: Decimal, paidCurrency: string, rate: CreditRate): void {
  if (maxPaid.greaterThan(MAX_EVENT_AMOUNT)) {
    throw new Error(
      `TOPUP_MAX_PAID must be at most ${MAX_EVENT_AMOUNT}, the most one payment may move, got "${maxPaid.toFixed()}"`,
    );
  }
  const maxPaidMinor = toMinorUnits(maxPaid, paidCurrency);
  if (maxPaidMinor > STRIPE_MAX_AMOUNT_MINOR) {
    throw new Error(
      `TOPUP_MAX_PAID: ${maxPaid.toFixed()} ${paidCurrency} is ${maxPaidMinor} in minor units, more than the ${STRIPE_MAX_AMOUNT_MINOR} Stripe charges at most`,
    );
  }
  const credit = creditForPayment(maxPaid, paidCurrency, { [paidCurrency]: rate });
  if (credit.greaterThan(MAX_EVENT_AMOUNT)) {
    throw new Error(
      `TOPUP_CREDIT_RATE: ${maxPaid.toFixed()} ${paidCurrency} (TOPUP_MAX_PAID) would buy ${credit.toFixed()} of credit, more than the ${MAX_EVENT_AMOUNT} one payment may credit`,
    );
  }
}

/** The credit rates creditForPayment takes: one, for the paid currency. */
export function creditRatesOf(config: TopUpConfig): Record<string, CreditRate> {
  return { [config.paidCurrency]: config.creditRate };
}
