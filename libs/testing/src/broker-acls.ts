import { readFileSync } from 'node:fs';
import path from 'node:path';

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
