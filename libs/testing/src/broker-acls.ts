import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Topics } from '@tally/budget-domain';

const ACLS_FILE = path.resolve(__dirname, '../../../infra/kafka/acls.txt');

type TopicOperation = 'Read' | 'Write' | 'Create';

/** The topics infra/kafka/acls.txt lets `principal` use for `operation`, by literal name. */
function topicsGranted(principal: string, operation: TopicOperation): Set<string> {
  const granted = new Set<string>();
  for (const line of readFileSync(ACLS_FILE, 'utf8').split('\n')) {
    if (line.startsWith('#')) continue;
    const [who, operations, resource, pattern, ...names] = line.trim().split(/\s+/);
    if (who !== principal || resource !== 'topic' || pattern !== 'literal') continue;
    if (operations?.split(',').includes(operation)) names.forEach((name) => granted.add(name));
  }
  return granted;
}

/**
 * What the broker in secure mode would refuse `principal` for request-reply on `patterns`, as
 * "<operation> <topic>" lines: the service that `answers` reads each command and writes its
 * reply, the one that `sends` does the reverse, and both create the two topics.
 */
export function missingCommandAcls(
  principal: string,
  role: 'answers' | 'sends',
  patterns: readonly string[],
): string[] {
  const [command, reply]: TopicOperation[] =
    role === 'answers' ? ['Read', 'Write'] : ['Write', 'Read'];
  const needed: Array<[TopicOperation, string]> = patterns.flatMap((pattern) => [
    [command, pattern],
    [reply, `${pattern}.reply`],
    ['Create', pattern],
    ['Create', `${pattern}.reply`],
  ]);
  return needed
    .filter(([operation, topic]) => !topicsGranted(principal, operation).has(topic))
    .map(([operation, topic]) => `${operation} ${topic}`);
}

/**
 * What the broker in secure mode would refuse `principal` for the topics its service consumes,
 * as "<operation> <topic>" lines. The consumed topics are read from the service's sources:
 * every `topic: Topics.<Name>` there is a subscription (consumeTransactionally and its kin).
 */
export function missingConsumerAcls(principal: string, sourceDir: string): string[] {
  const consumed = new Set<string>();
  for (const file of readdirSync(sourceDir, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.ts') || file.endsWith('.spec.ts')) continue;
    const text = readFileSync(path.join(sourceDir, file), 'utf8');
    for (const [, name] of text.matchAll(/\btopic: Topics\.(\w+)/g))
      consumed.add(Topics[name as keyof typeof Topics]);
  }
  if (consumed.size === 0) throw new Error(`no consumed topic found under ${sourceDir}`);
  return [...consumed]
    .sort()
    .flatMap((topic) =>
      (['Read', 'Create'] as const).map((operation): [TopicOperation, string] => [
        operation,
        topic,
      ]),
    )
    .filter(([operation, topic]) => !topicsGranted(principal, operation).has(topic))
    .map(([operation, topic]) => `${operation} ${topic}`);
}
