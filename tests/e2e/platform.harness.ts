import { KafkaTestClient, ServiceProcess, dropSchemas, isolate } from '@tally/testing';
import type { Isolation } from '@tally/testing';

/**
 * The services as real processes on the real broker and database, with topics and schemas
 * of their own: what a black-box test of the whole flow talks to.
 */
export class PlatformHarness {
  readonly kafka: KafkaTestClient;
  readonly services = new Map<string, ServiceProcess>();

  constructor(readonly isolation: Isolation = isolate()) {
    this.kafka = new KafkaTestClient(isolation.kafkaBrokers);
  }

  topic(name: string): string {
    return `${name}.${this.isolation.suffix}`;
  }

  envFor(service: string): Record<string, string> {
    return {
      DATABASE_URL: this.isolation.databaseUrl,
      DB_SCHEMA: this.isolation.schema(service),
      DB_POOL_SIZE: '4',
      KAFKA_BROKERS: this.isolation.kafkaBrokers.join(','),
      KAFKA_TOPIC_SUFFIX: this.isolation.suffix,
      KAFKA_PARTITIONS: '3',
    };
  }

  async start(...services: string[]): Promise<this> {
    await this.kafka.connect();
    for (const service of services) await this.startService(service);
    return this;
  }

  async startService(service: string): Promise<ServiceProcess> {
    const process = await ServiceProcess.start(service, this.envFor(service));
    this.services.set(service, process);
    return process;
  }

  async stop(): Promise<void> {
    for (const service of this.services.values()) await service.stop();
    await this.kafka.close();
    await dropSchemas(this.isolation.databaseUrl, [...this.services.keys()].map((service) => this.isolation.schema(service)));
  }
}
