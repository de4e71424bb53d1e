import path from 'node:path';
import {
  OPERATIONS_DOC,
  PROMETHEUS,
  checkPrometheusConfig,
  documented,
  metricNames,
  readYaml,
  rules,
  yamlFiles,
} from './operate-files';

interface RuleTestFile {
  tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts: unknown[] }> }>;
}

const alerts = rules().filter((rule) => rule.alert);
const alertTests = yamlFiles(path.join(PROMETHEUS, 'tests')).flatMap((file) =>
  readYaml<RuleTestFile>(file).tests.flatMap((test) => test.alert_rule_test ?? []),
);

describe('Prometheus rules', () => {
  it('has the alerts the runbook describes, one heading each', () => {
    const headings = [...OPERATIONS_DOC.matchAll(/^### (Tally\w+)$/gm)].map((match) => match[1]);
    expect(alerts.map((rule) => rule.alert).sort()).toEqual([...headings].sort());
    for (const rule of alerts) {
      expect(rule.annotations?.['runbook_url']).toBe(
        `docs/operations.md#${rule.alert!.toLowerCase()}`,
      );
    }
  });

  it.each(alerts.map((rule) => rule.alert!))(
    '%s has a promtool test where it fires and one where it stays quiet',
    (alertname) => {
      const cases = alertTests.filter((test) => test.alertname === alertname);
      expect(cases.some((test) => test.exp_alerts.length > 0)).toBe(true);
      expect(cases.some((test) => test.exp_alerts.length === 0)).toBe(true);
    },
  );

  it('reads only metrics that docs/operations.md lists', () => {
    const undocumented = rules()
      .flatMap((rule) => metricNames(rule.expr))
      .filter((name) => !documented(name));
    expect([...new Set(undocumented)]).toEqual([]);
  });

  it('names each recorded series once', () => {
    const recorded = rules().flatMap((rule) => (rule.record ? [rule.record] : []));
    expect(recorded.length).toBe(new Set(recorded).size);
  });

  it('has a Kubernetes scrape config that promtool accepts once its pod discovery is replaced', () => {
    // Debian's promtool is built without Kubernetes discovery: everything else is checked.
    const config = readYaml<{
      rule_files: string[];
      scrape_configs: Array<Record<string, unknown>>;
    }>(path.join(PROMETHEUS, 'prometheus.k8s.yml'));
    const scrape = config.scrape_configs[0]!;
    expect(scrape['kubernetes_sd_configs']).toEqual([
      { role: 'pod', namespaces: { names: ['tally'] } },
    ]);
    const { kubernetes_sd_configs: _discovery, ...rest } = scrape;
    const checked = checkPrometheusConfig({
      ...config,
      rule_files: config.rule_files.map((file) => path.join(PROMETHEUS, file)),
      scrape_configs: [{ ...rest, static_configs: [{ targets: ['pod:3001'] }] }],
    });
    expect(checked).toContain('SUCCESS');
  });
});
