import { KafkaTestClient } from './kafka-test.client';
import { dropSchemas, isolate } from './isolation';
import type { Isolation } from './isolation';
import { ServiceProcess } from './service.process';

/**
 * Services as real OS processes on the real broker and database, with topics and schemas of
 * their own: what black-box, crash and rebalance tests talk to. A service may run several
 * instances (one consumer group, one schema).
 */
export class ServiceHarness {
  readonly kafka: KafkaTestClient;
  private readonly instances: ServiceProcess[] = [];
  private readonly schemas = new Set<string>();

  constructor(
    readonly isolation: Isolation = isolate(),
    private readonly extraEnv: Record<string, string> = {},
  ) {
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
      KAFKA_PARTITIONS: '6',
      // A killed instance's partitions move after this long; short in tests.
      KAFKA_SESSION_TIMEOUT_MS: '8000',
      ...this.extraEnv,
    };
  }

  async start(...services: string[]): Promise<this> {
    await this.kafka.connect();
    for (const service of services) await this.startService(service);
    return this;
  }

  /** Starts one more instance of the service and waits until it is healthy. */
  async startService(service: string): Promise<ServiceProcess> {
    this.schemas.add(this.isolation.schema(service));
    const instance = await ServiceProcess.start(service, this.envFor(service));
    this.instances.push(instance);
    return instance;
  }

  running(service: string): ServiceProcess[] {
    return this.instances.filter((instance) => instance.service === service && instance.alive);
  }

  /** Stops every instance; the topics and schemas stay until `stop()`. */
  async stopServices(): Promise<void> {
    for (const instance of this.instances) await instance.stop();
  }

  /** Stops every instance, then deletes this harness's topics and schemas. */
  async stop(): Promise<void> {
    await this.stopServices();
    await this.kafka.close();
    await this.kafka.deleteTopics(this.isolation.suffix);
    await dropSchemas(this.isolation.databaseUrl, [...this.schemas]);
  }
}
