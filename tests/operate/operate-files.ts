import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
// The manifests, compose file and Prometheus configs are YAML.
import { parse, parseAllDocuments } from 'yaml';

/** Paths and parsers for the operations files (infra/prometheus, infra/grafana, infra/k8s). */
export const ROOT = path.resolve(__dirname, '../..');
export const PROMETHEUS = path.join(ROOT, 'infra/prometheus');
export const OPERATIONS_DOC = readFileSync(path.join(ROOT, 'docs/operations.md'), 'utf8');

export function readYaml<T>(file: string): T {
  return parse(readFileSync(file, 'utf8')) as T;
}

export function yamlFiles(directory: string): string[] {
  return readdirSync(directory)
    .filter((file) => file.endsWith('.yml') || file.endsWith('.yaml'))
    .map((file) => path.join(directory, file));
}

export interface Rule {
  readonly record?: string;
  readonly alert?: string;
  readonly expr: string;
  readonly annotations?: Record<string, string>;
}

export function rules(): Rule[] {
  return yamlFiles(path.join(PROMETHEUS, 'rules')).flatMap((file) =>
    readYaml<{ groups: Array<{ rules: Rule[] }> }>(file).groups.flatMap((group) => group.rules),
  );
}

/** Metric names a PromQL expression reads: Tally's own, recorded series and the few others. */
export function metricNames(expression: string): string[] {
  const withoutStrings = expression.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const names = withoutStrings.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? [];
  return [
    ...new Set(
      names.filter(
        (name) =>
          name.includes('tally') ||
          /^(process|nodejs)_/.test(name) ||
          name === 'up' ||
          name === 'ALERTS',
      ),
    ),
  ];
}

/** Whether docs/operations.md names the metric (a histogram by its base name), in backticks. */
export function documented(name: string): boolean {
  const base = name.replace(/_(bucket|count|sum)$/, '');
  return OPERATIONS_DOC.includes(`\`${name}\``) || OPERATIONS_DOC.includes(`\`${base}\``);
}

/** Runs a command to completion; throws with its output if it fails or cannot start. */
export function run(command: string, args: string[], hint: string): string {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error) throw new Error(`cannot run ${command} (${result.error.message}): ${hint}`);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

const PROMTOOL_HINT = 'apt-get install -y --no-install-recommends prometheus';

/** `promtool check rules` on recording rules made of the given expressions: do they parse? */
export function checkExpressionsParse(expressions: string[]): string {
  const directory = mkdtempSync(path.join(tmpdir(), 'tally-promql-'));
  try {
    const file = path.join(directory, 'expressions.yml');
    const recorded = expressions.map((expr, index) => ({ record: `check:expr_${index}`, expr }));
    writeFileSync(file, JSON.stringify({ groups: [{ name: 'check', rules: recorded }] }));
    return run('promtool', ['check', 'rules', file], PROMTOOL_HINT);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** `promtool check config` on a config given as an object (JSON is YAML). */
export function checkPrometheusConfig(config: unknown): string {
  const directory = mkdtempSync(path.join(tmpdir(), 'tally-prometheus-config-'));
  try {
    const file = path.join(directory, 'prometheus.yml');
    writeFileSync(file, JSON.stringify(config));
    return run('promtool', ['check', 'config', file], PROMTOOL_HINT);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  readonly spec?: Record<string, unknown>;
  readonly data?: Record<string, string>;
  readonly stringData?: Record<string, string>;
}

/** `kubectl kustomize <directory>`, parsed. */
export function kustomize(directory: string): Manifest[] {
  const output = run(
    'kubectl',
    ['kustomize', path.join(ROOT, directory)],
    'install kubectl (Debian: apt-get install -y kubernetes-client)',
  );
  return parseAllDocuments(output).map((document) => document.toJS() as Manifest);
}
