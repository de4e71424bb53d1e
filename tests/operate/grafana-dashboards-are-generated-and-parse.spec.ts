import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import {
  ROOT,
  checkExpressionsParse,
  documented,
  metricNames,
  readYaml,
  run,
} from './operate-files';

interface Panel {
  id: number;
  title: string;
  datasource: { uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets: Array<{ expr: string; refId: string }>;
}

const DASHBOARDS = path.join(ROOT, 'infra/grafana/dashboards');
const committed = readdirSync(DASHBOARDS).sort();
const dashboards = committed.map(
  (file) =>
    JSON.parse(readFileSync(path.join(DASHBOARDS, file), 'utf8')) as {
      uid: string;
      title: string;
      panels: Panel[];
    },
);
const expressions = dashboards.flatMap((dashboard) =>
  dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr)),
);

describe('Grafana dashboards', () => {
  it('are one per concern, exactly as infra/grafana/dashboards.ts generates them', () => {
    expect(committed).toEqual([
      'tally-authorizations.json',
      'tally-money.json',
      'tally-pipeline.json',
      'tally-topups-alerts.json',
    ]);
    const output = run(
      process.execPath,
      ['-r', '@swc-node/register', path.join(ROOT, 'infra/grafana/dashboards.ts'), '--check'],
      'node must run',
    );
    expect(output).toContain('dashboards: 4 up to date');
  });

  it('query the provisioned Prometheus data source, in panels that do not overlap', () => {
    const datasources = readYaml<{ datasources: Array<{ uid: string; url: string }> }>(
      path.join(ROOT, 'infra/grafana/provisioning/datasources/prometheus.yml'),
    ).datasources;
    expect(datasources).toEqual([
      expect.objectContaining({ uid: 'prometheus', url: 'http://prometheus:9090' }),
    ]);
    for (const dashboard of dashboards) {
      const cells = new Set<string>();
      for (const panel of dashboard.panels) {
        expect(panel.datasource.uid).toBe('prometheus');
        expect(panel.targets.length).toBeGreaterThan(0);
        const { x, y, w, h } = panel.gridPos;
        expect(x + w).toBeLessThanOrEqual(24);
        for (let column = x; column < x + w; column += 1) {
          for (let row = y; row < y + h; row += 1) {
            const cell = `${column},${row}`;
            expect(cells.has(cell)).toBe(false);
            cells.add(cell);
          }
        }
      }
    }
  });

  it('have queries that promtool parses', () => {
    expect(expressions.length).toBeGreaterThan(30);
    expect(checkExpressionsParse(expressions)).toContain(
      `SUCCESS: ${expressions.length} rules found`,
    );
  });

  it('read only metrics that docs/operations.md lists', () => {
    const undocumented = expressions.flatMap(metricNames).filter((name) => !documented(name));
    expect([...new Set(undocumented)]).toEqual([]);
  });
});

describe('docker compose', () => {
  const compose = readYaml<{
    services: Record<string, { image?: string; volumes?: string[]; ports?: string[] }>;
  }>(path.join(ROOT, 'docker-compose.yml'));

  it('runs Prometheus with the rules and Grafana with the dashboards, from files that exist', () => {
    expect(compose.services['prometheus']?.volumes).toContain(
      './infra/prometheus:/etc/prometheus:ro',
    );
    expect(compose.services['grafana']?.volumes).toEqual(
      expect.arrayContaining([
        './infra/grafana/provisioning:/etc/grafana/provisioning:ro',
        './infra/grafana/dashboards:/etc/grafana/dashboards:ro',
      ]),
    );
    const provider = readYaml<{ providers: Array<{ options: { path: string } }> }>(
      path.join(ROOT, 'infra/grafana/provisioning/dashboards/tally.yml'),
    );
    expect(provider.providers[0]?.options.path).toBe('/etc/grafana/dashboards');
    for (const service of ['prometheus', 'grafana']) {
      for (const volume of compose.services[service]?.volumes ?? []) {
        if (!volume.startsWith('./')) continue;
        expect(() => readdirSync(path.join(ROOT, volume.split(':')[0]!))).not.toThrow();
      }
    }
  });

  it('scrapes every service by its compose name and port', () => {
    const config = readYaml<{
      scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
    }>(path.join(ROOT, 'infra/prometheus/prometheus.yml'));
    expect(
      config.scrape_configs.map((scrape) => [scrape.job_name, scrape.static_configs[0]!.targets]),
    ).toEqual([
      ['admin', ['admin:3000']],
      ['ledger', ['ledger:3001']],
      ['topup', ['topup:3002']],
      ['metering', ['metering:3003']],
      ['alerting', ['alerting:3004']],
    ]);
  });
});
