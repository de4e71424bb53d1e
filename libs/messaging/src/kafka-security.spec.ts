import { kafkaClientConfig, kafkaConfigFromEnv } from './kafka.config';

describe('kafka security from the environment', () => {
  it('is plaintext when nothing is set', () => {
    const config = kafkaConfigFromEnv('x', {});
    expect(config.sasl).toBeUndefined();
    expect(config.ssl).toBeUndefined();
    expect(kafkaClientConfig(config, 'x-client')).toEqual({
      clientId: 'x-client',
      brokers: ['127.0.0.1:9092'],
      logCreator: expect.any(Function),
    });
  });

  it('authenticates with SCRAM-SHA-512 by default, over TLS when asked', () => {
    const config = kafkaConfigFromEnv('x', {
      KAFKA_SASL_USERNAME: 'ledger',
      KAFKA_SASL_PASSWORD: 's3cret',
      KAFKA_SSL: '1',
    });
    expect(kafkaClientConfig(config, 'x')).toEqual({
      clientId: 'x',
      brokers: ['127.0.0.1:9092'],
      logCreator: expect.any(Function),
      sasl: { mechanism: 'scram-sha-512', username: 'ledger', password: 's3cret' },
      ssl: true,
    });
  });

  it('refuses half a configuration or an unknown mechanism', () => {
    expect(() => kafkaConfigFromEnv('x', { KAFKA_SASL_MECHANISM: 'scram-sha-512' })).toThrow(
      'KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD must both be set',
    );
    expect(() =>
      kafkaConfigFromEnv('x', {
        KAFKA_SASL_MECHANISM: 'gssapi',
        KAFKA_SASL_USERNAME: 'a',
        KAFKA_SASL_PASSWORD: 'b',
      }),
    ).toThrow('KAFKA_SASL_MECHANISM must be one of scram-sha-512, scram-sha-256, plain');
  });
});
