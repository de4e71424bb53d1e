import { lookup } from 'node:dns';
import type { LookupAddress, LookupAllOptions, LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { ChannelsException, ChannelsExceptionCode } from './channels.exception';

const MAX_URL_LENGTH = 2048;

/**
 * Addresses a tenant's webhook must not reach when ALERTING_BLOCK_PRIVATE_URLS is set: this
 * host, private networks, link-local (cloud metadata at 169.254.169.254), CGNAT, multicast,
 * reserved and documentation ranges, the NAT64 prefix. An IPv4-mapped IPv6 address
 * (::ffff:10.0.0.1) is checked against the IPv4 ranges by BlockList itself.
 */
const NOT_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 3],
] as const) {
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 127],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv6');
}

/** Whether an IP address is loopback, private, link-local or otherwise not on the internet. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return NOT_PUBLIC.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * A webhook URL as a tenant gives it: http or https, a host, at most 2,048 characters. Error
 * messages never repeat the URL: it may carry credentials.
 */
export function parseWebhookUrl(text: string): URL {
  if (text.length > MAX_URL_LENGTH) {
    throw new ChannelsException(
      ChannelsExceptionCode.INVALID_URL,
      `url must be at most ${MAX_URL_LENGTH} characters`,
    );
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ChannelsException(ChannelsExceptionCode.INVALID_URL, 'url is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ChannelsException(
      ChannelsExceptionCode.INVALID_URL,
      'url must be an http or https URL',
    );
  }
  if (url.hostname === '') {
    throw new ChannelsException(ChannelsExceptionCode.INVALID_URL, 'url must name a host');
  }
  return url;
}

/** The host of a URL as an IP literal, if it is one ("[::1]" -> "::1"). */
function literalAddress(url: URL): string | undefined {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return isIP(host) ? host : undefined;
}

/**
 * Refuses a URL whose host is, or resolves to, an address that is not public. The same check
 * runs when each delivery connects (`publicOnlyLookup`), so a name that later resolves
 * elsewhere (DNS rebinding) is refused then too.
 */
export async function assertPublicUrl(url: URL): Promise<void> {
  const literal = literalAddress(url);
  const addresses = literal
    ? [literal]
    : await new Promise<string[]>((resolve, reject) =>
        lookup(url.hostname, { all: true }, (error, found) =>
          error
            ? reject(
                new ChannelsException(
                  ChannelsExceptionCode.URL_NOT_ALLOWED,
                  `the host of url does not resolve (${error.code ?? 'error'})`,
                ),
              )
            : resolve(found.map((entry) => entry.address)),
        ),
      );
  if (addresses.some(isPrivateAddress)) {
    throw new ChannelsException(
      ChannelsExceptionCode.URL_NOT_ALLOWED,
      'url points to a loopback, private or link-local address, which this installation refuses',
    );
  }
}

/** Refuses to connect to an IP literal that is not public (a lookup is not consulted for those). */
export function assertPublicLiteral(url: URL): void {
  const literal = literalAddress(url);
  if (literal && isPrivateAddress(literal)) {
    throw new ChannelsException(
      ChannelsExceptionCode.URL_NOT_ALLOWED,
      `address ${literal} is not public`,
    );
  }
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for http.request that connects only to public addresses: the check and the
 * connection use the same answer, so DNS cannot change it in between.
 */
export function publicOnlyLookup(
  hostname: string,
  options: LookupOptions,
  callback: LookupCallback,
): void {
  const all: LookupAllOptions = { ...options, all: true };
  lookup(hostname, all, (error, addresses) => {
    if (error) return callback(error, []);
    const refused = addresses.find((entry) => isPrivateAddress(entry.address));
    if (refused || addresses.length === 0) {
      const blocked: NodeJS.ErrnoException = new Error(
        refused ? `address ${refused.address} of the host is not public` : 'no address',
      );
      blocked.code = 'ADDRESS_NOT_ALLOWED';
      return callback(blocked, []);
    }
    if (options.all) return callback(null, addresses);
    const [first] = addresses as [LookupAddress, ...LookupAddress[]];
    return callback(null, first.address, first.family);
  });
}

/** What logs and history may show of a URL: its origin, never its credentials or path. */
export function redactUrl(url: URL): string {
  return url.origin;
}

/** The URL as shown back to its tenant: the password, if any, is masked. */
export function presentUrl(text: string): string {
  const url = new URL(text);
  if (url.password) url.password = '***';
  return url.toString();
}
