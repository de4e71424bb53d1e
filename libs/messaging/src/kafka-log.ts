import { Logger } from '@nestjs/common';
import { logLevel, type LogEntry, type logCreator } from 'kafkajs';
import { counter } from '@tally/platform';

type Sink = Pick<Logger, 'error' | 'warn' | 'log' | 'debug'>;

/**
 * What kafkajs says when a group's offset is not in the log (retention deleted the records
 * after it, or the topic was made again): it moves the group to the log's start, and the
 * records in between, if any, are never read.
 */
const OFFSET_OUT_OF_RANGE = 'Offset out of range, resetting to default offset';

const offsetResets = counter(
  'tally_consumer_offset_resets_total',
  "Times a consumer group's offset was outside its partition's log and moved to its start (ADR 0106)",
  ['group', 'topic'],
);

/**
 * kafkajs logs every failed broker response and every send it is about to retry at error
 * level, although the caller retries and raises only when the retries run out. On a broker
 * that has just started (coordinators loading, several services creating the same topics)
 * that is a screen of ERROR lines for nothing. Such an entry is logged once per kind at
 * info level, then at debug; everything else keeps kafkajs' level.
 */
export function kafkaLogCreator(sink: Sink = new Logger('Kafka')): logCreator {
  return () => {
    const seen = new Set<string>();
    return ({ namespace, level, log }: LogEntry) => {
      const { message, error, clientId, groupId, topic, partition } = log as LogEntry['log'] & {
        error?: string;
        clientId?: string;
        groupId?: string;
        topic?: string;
        partition?: number;
      };
      const text = `${clientId ?? 'kafkajs'}: [${namespace}] ${message}${whereOf(groupId, topic, partition)}${error ? `: ${error}` : ''}`;
      if (message === OFFSET_OUT_OF_RANGE && groupId !== undefined && topic !== undefined)
        offsetResets.inc({ group: groupId, topic });
      if (level <= logLevel.WARN && isRetried(namespace, message)) {
        const kind = `${message}|${error ?? ''}`;
        if (seen.has(kind)) sink.debug(text);
        else {
          seen.add(kind);
          sink.log(`${text} (retried; expected while the broker starts)`);
        }
        return;
      }
      if (namespace === 'Producer' && message === NOT_FOR_TRANSACTIONS) sink.debug(text);
      else if (level === logLevel.ERROR) sink.error(text);
      else if (level === logLevel.WARN) sink.warn(text);
      else if (level === logLevel.INFO) sink.log(text);
      else sink.debug(text);
    };
  };
}

/** " (group g, topic t, partition 3)": which consumer a line of a consumer group is about. */
function whereOf(groupId?: string, topic?: string, partition?: number): string {
  const parts = [
    ...(groupId === undefined ? [] : [`group ${groupId}`]),
    ...(topic === undefined ? [] : [`topic ${topic}`]),
    ...(partition === undefined ? [] : [`partition ${partition}`]),
  ];
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/**
 * Said of every idempotent producer with bounded retries. Ours send in transactions: a send
 * that runs out of retries aborts its round, which is sent again, and consumers read committed.
 */
const NOT_FOR_TRANSACTIONS =
  'Limiting retries for the idempotent producer may invalidate EoS guarantees';

/** A failed response is raised to its caller, which retries; so is a send kafkajs retries. */
function isRetried(namespace: string, message: string): boolean {
  return (
    (namespace === 'Connection' && message.startsWith('Response ')) ||
    (namespace === 'Producer' && message.startsWith('Failed to send messages: '))
  );
}
