import { ChannelsException } from './channels.exception';
import type { LookupAddress } from 'node:dns';
import {
  assertReceiverLiteral,
  isPrivateAddress,
  isRefusedAddress,
  parseWebhookUrl,
  presentUrl,
  receiverLookup,
  redactUrl,
} from './webhook-url';

describe('webhook URL policy', () => {
  it('takes http and https URLs with a host, and nothing else', () => {
    expect(parseWebhookUrl('https://hooks.example.com/tally?x=1').toString()).toBe(
      'https://hooks.example.com/tally?x=1',
    );
    expect(parseWebhookUrl('http://127.0.0.1:8080/hook').port).toBe('8080');
    for (const refused of [
      'ftp://example.com/x',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'not a url',
      '//example.com/x',
      `https://example.com/${'a'.repeat(2048)}`,
    ]) {
      expect(() => parseWebhookUrl(refused)).toThrow(ChannelsException);
    }
  });

  it('never repeats the URL in a refusal: it may carry credentials', () => {
    try {
      parseWebhookUrl('gopher://user:hunter2@example.com/');
      throw new Error('accepted');
    } catch (error) {
      expect((error as Error).message).toBe('url must be an http or https URL');
    }
  });

  it('tells public addresses from loopback, private, link-local and reserved ones', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
      '64:ff9b::a00:1',
      'not-an-ip',
    ]) {
      expect([address, isPrivateAddress(address)]).toEqual([address, true]);
    }
    for (const address of ['93.184.215.14', '8.8.8.8', '172.32.0.1', '2606:4700::1111']) {
      expect([address, isPrivateAddress(address)]).toEqual([address, false]);
    }
  });

  it('refuses a literal private address before connecting; a name waits for its lookup', () => {
    const literal = (url: string) => () => assertReceiverLiteral(new URL(url), 'public');
    expect(literal('http://[::1]:8080/')).toThrow(ChannelsException);
    expect(literal('http://2130706433/')).toThrow(ChannelsException);
    expect(literal('https://93.184.215.14/')).not.toThrow();
    expect(literal('https://hooks.example.com/')).not.toThrow();
  });

  it('never lets a webhook reach link-local or cloud metadata addresses, even where local ones are allowed', () => {
    for (const address of [
      '169.254.169.254',
      '169.254.170.2',
      '::ffff:169.254.169.254',
      'fe80::1',
      'fd00:ec2::254',
      '100.100.100.200',
      'not-an-ip',
    ]) {
      expect([address, isRefusedAddress(address, 'local-allowed')]).toEqual([address, true]);
      expect([address, isRefusedAddress(address, 'public')]).toEqual([address, true]);
    }
    for (const address of ['127.0.0.1', '::1', '10.0.0.1', '192.168.1.1', 'fd00::1', '8.8.8.8']) {
      expect([address, isRefusedAddress(address, 'local-allowed')]).toEqual([address, false]);
    }
    const literal = (url: string) => () => assertReceiverLiteral(new URL(url), 'local-allowed');
    expect(literal('http://169.254.169.254/latest/meta-data/')).toThrow(ChannelsException);
    expect(literal('http://2852039166/')).toThrow(ChannelsException);
    expect(literal('http://127.0.0.1:9/hook')).not.toThrow();
  });

  it('connects a name only to addresses the policy allows, judged on the lookup it connects with', async () => {
    const resolvingTo =
      (...addresses: string[]) =>
      (
        _hostname: string,
        _options: unknown,
        callback: (error: NodeJS.ErrnoException | null, found: LookupAddress[]) => void,
      ) =>
        callback(
          null,
          addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
        );
    const connect = (lookup: ReturnType<typeof receiverLookup>) =>
      new Promise<string>((resolve) =>
        lookup('hooks.example.com', {}, (error, address) =>
          resolve(error ? `${error.code}: ${error.message}` : String(address)),
        ),
      );
    expect(await connect(receiverLookup('local-allowed', resolvingTo('10.0.0.7')))).toBe(
      '10.0.0.7',
    );
    expect(
      await connect(
        receiverLookup('local-allowed', resolvingTo('93.184.215.14', '169.254.169.254')),
      ),
    ).toBe('ADDRESS_NOT_ALLOWED: address 169.254.169.254 of the host is not a webhook receiver');
    expect(await connect(receiverLookup('public', resolvingTo('10.0.0.7')))).toBe(
      'ADDRESS_NOT_ALLOWED: address 10.0.0.7 of the host is not public',
    );
    expect(await connect(receiverLookup('public', resolvingTo('93.184.215.14')))).toBe(
      '93.184.215.14',
    );
  });

  it('shows only the origin in logs and history, and masks a password shown back to the tenant', () => {
    const url = new URL('https://user:hunter2@hooks.example.com/services/T0/B0/SECRET');
    expect(redactUrl(url)).toBe('https://hooks.example.com');
    expect(presentUrl(url.toString())).toBe(
      'https://user:***@hooks.example.com/services/T0/B0/SECRET',
    );
    expect(presentUrl('https://hooks.example.com/x')).toBe('https://hooks.example.com/x');
  });

  it('shows a token in the path, query or fragment as *** and its last four characters (ADR 0192)', () => {
    expect(
      presentUrl('https://hooks.slack.com/services/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'),
    ).toBe('https://hooks.slack.com/services/T0AAAAAAA/B0BBBBBBB/***WXYZ');
    expect(
      presentUrl('https://example.com/in?key=0123456789abcdefGHIJ&v=2&flag#0123456789abcdefKLMN'),
    ).toBe('https://example.com/in?key=***GHIJ&v=2&flag#***KLMN');
    expect(presentUrl('https://example.com/alerts/tally-production')).toBe(
      'https://example.com/alerts/***tion',
    );
  });
});
