/*
 * The Grafana dashboards of infra/grafana/dashboards/, one per concern, on the metrics and
 * recorded series of infra/prometheus. `npm run dashboards` rewrites the JSON files from this
 * source; tests/operate checks that they are up to date and that every query parses.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const DATASOURCE = { type: 'prometheus', uid: 'prometheus' } as const;
const SERVICES = 'admin|ledger|topup|metering|alerting';

interface Query {
  readonly expr: string;
  readonly legend?: string;
}

interface PanelSpec {
  readonly title: string;
  readonly description: string;
  readonly queries: readonly Query[];
  readonly unit?: string;
  readonly kind?: 'timeseries' | 'stat' | 'table';
  /** Grid columns out of 24; panels flow left to right, 8 rows high. */
  readonly width?: number;
  readonly mappings?: readonly unknown[];
  readonly thresholds?: ReadonlyArray<{ value: number | null; color: string }>;
}

interface DashboardSpec {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  /** The alerts whose firing instances the dashboard lists first. */
  readonly alerts: readonly string[];
  readonly panels: readonly PanelSpec[];
}

function firingAlerts(alerts: readonly string[]): PanelSpec {
  return {
    title: 'Firing alerts',
    description: 'Alerts of this concern firing now (docs/operations.md says what to do).',
    kind: 'table',
    width: 24,
    queries: [{ expr: `ALERTS{alertstate="firing", alertname=~"${alerts.join('|')}"}` }],
  };
}

function panel(spec: PanelSpec, id: number, x: number, y: number): Record<string, unknown> {
  const kind = spec.kind ?? 'timeseries';
  const thresholds = spec.thresholds ?? [{ value: null, color: 'green' }];
  return {
    id,
    type: kind,
    title: spec.title,
    description: spec.description,
    datasource: DATASOURCE,
    gridPos: { h: kind === 'table' ? 6 : 8, w: spec.width ?? 12, x, y },
    fieldConfig: {
      defaults: {
        unit: spec.unit ?? 'short',
        mappings: spec.mappings ?? [],
        thresholds: { mode: 'absolute', steps: thresholds },
        ...(kind === 'timeseries' ? { custom: { drawStyle: 'line', fillOpacity: 10 } } : {}),
      },
      overrides: [],
    },
    options:
      kind === 'timeseries'
        ? {
            legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
            tooltip: { mode: 'multi', sort: 'desc' },
          }
        : kind === 'stat'
          ? {
              reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
              colorMode: 'background',
              graphMode: 'none',
              textMode: 'value_and_name',
            }
          : { showHeader: true },
    targets: spec.queries.map((query, index) => ({
      refId: String.fromCharCode(65 + index),
      datasource: DATASOURCE,
      expr: query.expr,
      legendFormat: query.legend ?? '__auto',
      ...(kind === 'table' ? { format: 'table', instant: true } : {}),
    })),
  };
}

function dashboard(spec: DashboardSpec): Record<string, unknown> {
  const panels: Array<Record<string, unknown>> = [];
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  for (const item of [firingAlerts(spec.alerts), ...spec.panels]) {
    const width = item.width ?? 12;
    if (x + width > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const built = panel(item, panels.length + 1, x, y);
    panels.push(built);
    x += width;
    rowHeight = Math.max(rowHeight, (built['gridPos'] as { h: number }).h);
  }
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: ['tally'],
    timezone: 'utc',
    editable: true,
    graphTooltip: 1,
    refresh: '30s',
    schemaVersion: 39,
    version: 1,
    time: { from: 'now-3h', to: 'now' },
    templating: { list: [] },
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: 'grafana', uid: '-- Grafana --' },
          enable: true,
          hide: true,
          iconColor: 'rgba(0, 211, 255, 1)',
          name: 'Annotations & Alerts',
          type: 'dashboard',
        },
      ],
    },
    panels,
  };
}

const upDown = [
  {
    type: 'value',
    options: { '0': { text: 'FAILED', color: 'red' }, '1': { text: 'OK', color: 'green' } },
  },
];

export const DASHBOARDS: readonly DashboardSpec[] = [
  {
    uid: 'tally-pipeline',
    title: 'Tally / Pipeline',
    description:
      'usage.events -> metering -> usage.rated -> ledger: throughput, lag, dead letters, outbox relays, processes.',
    alerts: [
      'TallyConsumerLagGrowing',
      'TallyConsumerStalled',
      'TallyConsumerPartitionNotConsumed',
      'TallyOutboxFailing',
      'TallyDeadLettersArriving',
      'TallyServiceDown',
      'TallyServiceUnavailable',
      'TallyServiceMemoryHigh',
    ],
    panels: [
      {
        title: 'Usage events per second',
        description:
          'Consumed from usage.events by metering, rated by metering, posted by the ledger.',
        unit: 'ops',
        queries: [
          { expr: 'tally:usage_events_in:rate1m', legend: 'in (usage.events)' },
          { expr: 'tally:usage_events_rated:rate1m', legend: 'rated' },
          { expr: 'tally:usage_events_posted:rate1m', legend: 'posted' },
        ],
      },
      {
        title: 'Consumer lag',
        description:
          'Records behind the partition head, as last reported by each consumer, per service and topic.',
        queries: [{ expr: 'job_topic:tally_consumer_lag:sum', legend: '{{job}} {{topic}}' }],
      },
      {
        title: 'Consumer group lag (broker)',
        description:
          "Records after each group's committed offsets, as the broker says, per service, group and topic: partitions never fetched count too (ADR 0130).",
        queries: [
          {
            expr: 'job_group_topic:tally_consumer_group_lag:sum',
            legend: '{{job}} {{group}} {{topic}}',
          },
        ],
      },
      {
        title: 'Partitions not moving while records wait',
        description:
          "Seconds a group's committed offset has not moved while its partition had records (TallyConsumerPartitionNotConsumed at 300).",
        unit: 's',
        queries: [
          {
            expr: 'max by (job, group, topic, partition) (tally_consumer_group_stalled_seconds) > 0',
            legend: '{{job}} {{group}} {{topic}} [{{partition}}]',
          },
        ],
      },
      {
        title: 'Records consumed per second',
        description: 'Every Kafka record a service handled, per topic.',
        unit: 'ops',
        queries: [
          { expr: 'job_topic:tally_messages_consumed:rate1m', legend: '{{job}} {{topic}}' },
        ],
      },
      {
        title: 'Dead letters in the last 10 minutes',
        description:
          'Records written to usage.dead-letter, per service (TallyDeadLettersArriving).',
        queries: [{ expr: 'job:tally_dead_letters:increase10m', legend: '{{job}}' }],
      },
      {
        title: 'Consumer outcomes per second',
        description:
          'Applied, dead-lettered and duplicate records per consumer (from the messaging library).',
        unit: 'ops',
        queries: [
          {
            expr: 'sum by (job, consumer, outcome) (rate(tally_consumer_messages_total[5m]))',
            legend: '{{job}} {{consumer}} {{outcome}}',
          },
        ],
      },
      {
        title: 'Batch duration p99',
        description: 'Time to handle one slice (one database transaction), per service and topic.',
        unit: 's',
        queries: [
          {
            expr: 'histogram_quantile(0.99, sum by (job, topic, le) (rate(tally_batch_duration_seconds_bucket[5m])))',
            legend: '{{job}} {{topic}}',
          },
        ],
      },
      {
        title: 'Outbox published per second',
        description: 'Messages the outbox relays published, per service and topic.',
        unit: 'ops',
        queries: [{ expr: 'job_topic:tally_outbox_published:rate1m', legend: '{{job}} {{topic}}' }],
      },
      {
        title: 'Outbox consecutive failures and held seconds',
        description:
          'Rounds failed in a row by the leading relay, and seconds rows have waited behind a PostgreSQL transaction still running; above 0 for minutes, nothing behind is published.',
        queries: [
          { expr: 'max by (job) (tally_outbox_consecutive_failures)', legend: '{{job}}' },
          {
            expr: 'sum by (job) (rate(tally_outbox_round_failures_total[5m]))',
            legend: '{{job}} failures/s',
          },
          { expr: 'max by (job) (tally_outbox_held_seconds)', legend: '{{job}} held s' },
        ],
      },
      {
        title: 'Outbox round duration p99 and size p50',
        description: 'Time to publish one outbox round, and rows per round.',
        queries: [
          {
            expr: 'histogram_quantile(0.99, sum by (job, le) (rate(tally_outbox_round_duration_seconds_bucket[5m])))',
            legend: '{{job}} p99 seconds',
          },
          {
            expr: 'histogram_quantile(0.5, sum by (job, le) (rate(tally_outbox_round_size_bucket[5m])))',
            legend: '{{job}} p50 messages',
          },
        ],
      },
      {
        title: 'Instances up',
        description: 'Scraped instances answering /metrics, per service.',
        kind: 'stat',
        queries: [{ expr: `sum by (job) (up{job=~"${SERVICES}"})`, legend: '{{job}}' }],
        thresholds: [
          { value: null, color: 'red' },
          { value: 1, color: 'green' },
        ],
      },
      {
        title: 'Resident memory',
        description:
          'RSS per instance; the Kubernetes limit is 512 MiB, TallyServiceMemoryHigh fires above 450 MiB.',
        unit: 'bytes',
        queries: [
          {
            expr: `process_resident_memory_bytes{job=~"${SERVICES}"}`,
            legend: '{{job}} {{instance}}',
          },
        ],
      },
      {
        title: 'Event loop lag p99',
        description: 'How long ready work waited for the event loop, per instance.',
        unit: 's',
        queries: [
          {
            expr: `nodejs_eventloop_lag_p99_seconds{job=~"${SERVICES}"}`,
            legend: '{{job}} {{instance}}',
          },
        ],
      },
    ],
  },
  {
    uid: 'tally-money',
    title: 'Tally / Money',
    description: 'What the ledger charges and whether its books hold.',
    alerts: ['TallyReconciliationMismatch', 'TallyUsageNotPosted', 'TallyDeadLettersArriving'],
    panels: [
      {
        title: 'Spend per second',
        description:
          'Charged amount of posted usage per second, per currency (a float for graphs: the ledger holds the exact sums).',
        queries: [{ expr: 'currency:tally_usage_charged:rate5m', legend: '{{currency}}' }],
      },
      {
        title: 'Spend in the last 24 hours',
        description: 'Charged amount of usage posted in the last 24 hours, per currency.',
        kind: 'stat',
        queries: [
          {
            expr: 'sum by (currency) (increase(tally_ledger_usage_charged_total[24h]))',
            legend: '{{currency}}',
          },
        ],
      },
      {
        title: 'Reconciliation',
        description:
          'Last background reconciliation per ledger instance: postings sum to zero, cached balances and held totals match their postings.',
        kind: 'stat',
        mappings: upDown,
        queries: [{ expr: 'tally_ledger_reconciliation_ok', legend: '{{instance}}' }],
        thresholds: [
          { value: null, color: 'red' },
          { value: 1, color: 'green' },
        ],
      },
      {
        title: 'Usage rated and posted per second',
        description:
          'A gap that does not close is usage not reaching the books (TallyUsageNotPosted).',
        unit: 'ops',
        queries: [
          { expr: 'tally:usage_events_rated:rate1m', legend: 'rated' },
          { expr: 'tally:usage_events_posted:rate1m', legend: 'posted' },
        ],
      },
      {
        title: 'Duplicates and dead letters per second',
        description:
          "Records seen before (counted once) and records refused, per service: the messaging library's outcome counter.",
        unit: 'ops',
        queries: [
          {
            expr: 'sum by (job) (rate(tally_consumer_messages_total{outcome="duplicate"}[5m]))',
            legend: '{{job}} duplicates',
          },
          {
            expr: 'sum by (job) (rate(tally_consumer_messages_total{outcome="dead_lettered"}[5m]))',
            legend: '{{job}} dead-lettered',
          },
        ],
      },
      {
        title: 'Top-up payments per second',
        description: 'Credit purchased, failed and refunded, per trigger.',
        unit: 'ops',
        queries: [
          { expr: 'kind_trigger:tally_topup_payments:rate5m', legend: '{{kind}} {{trigger}}' },
        ],
      },
      {
        title: 'Price catalog in force',
        description: 'The catalog version each metering instance rates with.',
        kind: 'table',
        queries: [{ expr: 'tally_metering_catalog_info == 1' }],
      },
    ],
  },
  {
    uid: 'tally-authorizations',
    title: 'Tally / Authorizations',
    description: 'POST /v1/authorizations on the ledger: answers, errors, latency and contention.',
    alerts: ['TallyAuthorizationErrors', 'TallyAuthorizationLatencyHigh'],
    panels: [
      {
        title: 'Authorizations per second by status',
        description:
          '201 authorized, 402 refused (budget, credit, auto top-up), 401/422 bad requests, 5xx errors.',
        unit: 'reqps',
        queries: [{ expr: 'status:tally_authorizations:rate5m', legend: '{{status}}' }],
      },
      {
        title: 'Latency',
        description: 'Measured in the ledger, from the request arriving to the response sent.',
        unit: 's',
        queries: [
          { expr: 'tally:authorization_latency_seconds:p99_5m', legend: 'p99' },
          {
            expr: 'histogram_quantile(0.5, sum by (le) (rate(tally_http_request_duration_seconds_bucket{job="ledger", method="POST", route="/v1/authorizations"}[5m])))',
            legend: 'p50',
          },
        ],
      },
      {
        title: 'Server errors',
        description: 'Share of authorizations answered 5xx (TallyAuthorizationErrors above 1 %).',
        unit: 'percentunit',
        queries: [{ expr: 'tally:authorization_errors:ratio5m', legend: '5xx' }],
      },
      {
        title: 'Refusals',
        description: 'Share of authorizations refused with 402: accounts out of budget or credit.',
        unit: 'percentunit',
        queries: [
          {
            expr: 'sum(status:tally_authorizations:rate5m{status="402"}) / sum(status:tally_authorizations:rate5m)',
            legend: '402',
          },
        ],
      },
      {
        title: 'Contention',
        description:
          'Decisions discarded because another hold of the account came first, and authorizations that queued on the row lock.',
        unit: 'ops',
        queries: [
          {
            expr: 'sum(rate(tally_ledger_authorization_stale_decisions_total[5m]))',
            legend: 'stale decisions',
          },
          {
            expr: 'sum(rate(tally_ledger_authorization_row_locks_total[5m]))',
            legend: 'row-lock fallbacks',
          },
        ],
      },
      {
        title: 'Holds expired per second',
        description: 'Holds the sweep marked expired (their funds were free at expiry already).',
        unit: 'ops',
        queries: [{ expr: 'sum(rate(tally_ledger_holds_expired_total[5m]))', legend: 'expired' }],
      },
      {
        title: 'Ledger HTTP requests by route',
        description: 'Every route of the ledger, per status.',
        unit: 'reqps',
        width: 24,
        queries: [
          {
            expr: 'sum by (method, route, status) (rate(tally_http_request_duration_seconds_count{job="ledger"}[5m]))',
            legend: '{{method}} {{route}} {{status}}',
          },
        ],
      },
    ],
  },
  {
    uid: 'tally-topups-alerts',
    title: 'Tally / Top-ups and alerts',
    description:
      'Stripe top-ups (manual and automatic), webhooks, and the alerts sent to customers.',
    alerts: [
      'TallyTopupPaymentsFailing',
      'TallyTopupWebhookSignaturesFailing',
      'TallyAutoTopupChargesUnconfirmed',
      'TallyAlertDeliveriesDead',
      'TallyAlertDeliveriesRetrying',
    ],
    panels: [
      {
        title: 'Payments per second',
        description:
          'credit_purchased, credit_failed and credit_refunded, per trigger (manual, auto, admin).',
        unit: 'ops',
        queries: [
          { expr: 'kind_trigger:tally_topup_payments:rate5m', legend: '{{kind}} {{trigger}}' },
        ],
      },
      {
        title: 'Failed payments',
        description: 'Share of purchase attempts that failed over the last 30 minutes.',
        unit: 'percentunit',
        queries: [
          {
            expr: 'sum(increase(tally_topup_payments_total{kind="credit_failed"}[30m])) / sum(increase(tally_topup_payments_total{kind=~"credit_purchased|credit_failed"}[30m]))',
            legend: 'failed',
          },
        ],
      },
      {
        title: 'Auto top-up decisions per second',
        description:
          'charged, or the reason it was not: disabled, no_payment_method, paused, pending, monthly_limit_reached, cooldown, unsupported_currency.',
        unit: 'ops',
        queries: [
          { expr: 'decision:tally_topup_auto_topup_decisions:rate5m', legend: '{{decision}}' },
        ],
      },
      {
        title: 'Stripe webhooks per second',
        description: 'handled, duplicate, bad_signature (secret mismatch or forgery), ignored.',
        unit: 'ops',
        queries: [{ expr: 'outcome:tally_topup_webhooks:rate5m', legend: '{{outcome}}' }],
      },
      {
        title: 'Alerts per second',
        description: 'Customer alerts fired and resolved, per kind.',
        unit: 'ops',
        queries: [
          { expr: 'kind_state:tally_alerting_alerts:rate5m', legend: '{{kind}} {{state}}' },
        ],
      },
      {
        title: 'Deliveries per second',
        description: 'Alert deliveries per channel type: delivered, retrying, dead (gave up).',
        unit: 'ops',
        queries: [
          {
            expr: 'channel_status:tally_alerting_deliveries:rate5m',
            legend: '{{channel_type}} {{status}}',
          },
        ],
      },
      {
        title: 'Dead deliveries in the last 24 hours',
        description: 'Alerts a customer did not receive after every retry.',
        kind: 'stat',
        queries: [
          {
            expr: 'sum by (channel_type) (increase(tally_alerting_deliveries_total{status="dead"}[24h]))',
            legend: '{{channel_type}}',
          },
        ],
        thresholds: [
          { value: null, color: 'green' },
          { value: 1, color: 'red' },
        ],
      },
    ],
  },
];

export function renderDashboards(): Map<string, string> {
  return new Map(
    DASHBOARDS.map((spec) => [`${spec.uid}.json`, `${JSON.stringify(dashboard(spec), null, 2)}\n`]),
  );
}

/** Writes the dashboards; with `--check`, only says which files differ and fails if any do. */
function main(check: boolean): void {
  const directory = path.join(__dirname, 'dashboards');
  const stale: string[] = [];
  const rendered = renderDashboards();
  for (const [file, json] of rendered) {
    const target = path.join(directory, file);
    const current = existsSync(target) ? readFileSync(target, 'utf8') : undefined;
    if (current === json) continue;
    stale.push(file);
    if (!check) writeFileSync(target, json);
  }
  const extra = readdirSync(directory).filter((file) => !rendered.has(file));
  if (check && (stale.length > 0 || extra.length > 0)) {
    console.error(
      `dashboards out of date (run npm run dashboards): ${[...stale, ...extra].join(', ')}`,
    );
    process.exit(1);
  }
  console.log(`dashboards: ${rendered.size} ${check ? 'up to date' : 'written'} in ${directory}`);
}

if (require.main === module) main(process.argv.includes('--check'));
