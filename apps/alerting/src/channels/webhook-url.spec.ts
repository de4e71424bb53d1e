import { ChannelsException } from './channels.exception';
import {
  assertPublicLiteral,
  isPrivateAddress,
  parseWebhookUrl,
  presentUrl,
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
    expect(() => assertPublicLiteral(new URL('http://[::1]:8080/'))).toThrow(ChannelsException);
    expect(() => assertPublicLiteral(new URL('http://2130706433/'))).toThrow(ChannelsException);
    expect(() => assertPublicLiteral(new URL('https://93.184.215.14/'))).not.toThrow();
    expect(() => assertPublicLiteral(new URL('https://hooks.example.com/'))).not.toThrow();
  });

  it('shows only the origin in logs and history, and masks a password shown back to the tenant', () => {
    const url = new URL('https://user:hunter2@hooks.example.com/services/T0/B0/SECRET');
    expect(redactUrl(url)).toBe('https://hooks.example.com');
    expect(presentUrl(url.toString())).toBe(
      'https://user:***@hooks.example.com/services/T0/B0/SECRET',
    );
    expect(presentUrl('https://hooks.example.com/x')).toBe('https://hooks.example.com/x');
  });
});
