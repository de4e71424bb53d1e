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

/**
 * Addresses no policy lets a webhook reach (ADR 0118): link-local, where clouds serve instance
 * metadata and credentials (169.254.169.254, ECS's 169.254.170.2), and the metadata addresses
 * kept elsewhere (AWS over IPv6, Alibaba). No receiver of alerts lives there.
 */
const NEVER_A_RECEIVER = new BlockList();
NEVER_A_RECEIVER.addSubnet('169.254.0.0', 16, 'ipv4');
NEVER_A_RECEIVER.addAddress('100.100.100.200', 'ipv4');
NEVER_A_RECEIVER.addSubnet('fe80::', 10, 'ipv6');
NEVER_A_RECEIVER.addAddress('fd00:ec2::254', 'ipv6');

/**
 * Which receivers a tenant's URL may reach: `public` with ALERTING_BLOCK_PRIVATE_URLS (the
 * internet only), else `local-allowed` (loopback and private networks too, as DESIGN 4 allows,
 * but never link-local or metadata addresses).
 */
export type UrlPolicy = 'public' | 'local-allowed';

export function urlPolicy(blockPrivateUrls: boolean): UrlPolicy {
  return blockPrivateUrls ? 'public' : 'local-allowed';
}

const REFUSALS: Record<UrlPolicy, string> = {
  public:
    'url points to a loopback, private or link-local address, which this installation refuses',
  'local-allowed':
    'url points to a link-local or cloud metadata address, which is never a webhook receiver',
};

function familyOf(address: string): 'ipv4' | 'ipv6' | undefined {
  const family = isIP(address);
  return family === 4 ? 'ipv4' : family === 6 ? 'ipv6' : undefined;
}

/** Whether an IP address is loopback, private, link-local or otherwise not on the internet. */
export function isPrivateAddress(address: string): boolean {
  const family = familyOf(address);
  return family === undefined || NOT_PUBLIC.check(address, family);
}

/** Whether the policy refuses to connect to this IP address (anything not an IP is refused). */
export function isRefusedAddress(address: string, policy: UrlPolicy): boolean {
  if (policy === 'public') return isPrivateAddress(address);
  const family = familyOf(address);
  return family === undefined || NEVER_A_RECEIVER.check(address, family);
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
 * Refuses a URL whose host is, or resolves to, an address the policy refuses. The same check
 * runs when each delivery connects (`receiverLookup`), so a name that later resolves elsewhere
 * (DNS rebinding) is refused then too. Under `local-allowed` only an IP literal is judged here:
 * a name need not resolve from alerting when it is set, and its addresses are judged on each
 * connection.
 */
export async function assertReceiverUrl(url: URL, policy: UrlPolicy): Promise<void> {
  const literal = literalAddress(url);
  if (!literal && policy === 'local-allowed') return;
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
  if (addresses.some((address) => isRefusedAddress(address, policy))) {
    throw new ChannelsException(ChannelsExceptionCode.URL_NOT_ALLOWED, REFUSALS[policy]);
  }
}

/** Refuses to connect to an IP literal the policy refuses (a lookup is not consulted for those). */
export function assertReceiverLiteral(url: URL, policy: UrlPolicy): void {
  const literal = literalAddress(url);
  if (literal && isRefusedAddress(literal, policy)) {
    throw new ChannelsException(
      ChannelsExceptionCode.URL_NOT_ALLOWED,
      `address ${literal} is not ${policy === 'public' ? 'public' : 'a webhook receiver'}`,
    );
  }
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

type Resolve = (
  hostname: string,
  options: LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/**
 * A `lookup` for http.request that connects only to addresses the policy allows: the check and
 * the connection use the same answer, so DNS cannot change it in between. `resolve` is the
 * system's lookup but in tests.
 */
export function receiverLookup(
  policy: UrlPolicy,
  resolve: Resolve = lookup,
): (hostname: string, options: LookupOptions, callback: LookupCallback) => void {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const refused = addresses.find((entry) => isRefusedAddress(entry.address, policy));
      if (refused || addresses.length === 0) {
        const blocked: NodeJS.ErrnoException = new Error(
          refused
            ? `address ${refused.address} of the host is not ${policy === 'public' ? 'public' : 'a webhook receiver'}`
            : 'no address',
        );
        blocked.code = 'ADDRESS_NOT_ALLOWED';
        return callback(blocked, []);
      }
      if (options.all) return callback(null, addresses);
      const [first] = addresses as [LookupAddress, ...LookupAddress[]];
      return callback(null, first.address, first.family);
    });
  };
}

/** What logs and history may show of a URL: its origin, never its credentials or path. */
export function redactUrl(url: URL): string {
  return url.origin;
}

/** A path segment or query value this long is taken for a token (ADR 0192). */
const TOKEN_MIN_LENGTH = 16;

/**
 * The URL as shown back to its tenant (ADR 0192): the password masked, and every path segment,
 * query value or fragment long enough to be a token (a Slack URL's last segment) shown as
 * `***` and its last four characters, enough to tell two apart.
 */
export function presentUrl(text: string): string {
  const url = new URL(text);
  if (url.password) url.password = '***';
  url.pathname = url.pathname.split('/').map(maskToken).join('/');
  if (url.search) {
    url.search = url.search
      .slice(1)
      .split('&')
      .map((pair) => {
        const equals = pair.indexOf('=');
        return equals < 0
          ? maskToken(pair)
          : `${pair.slice(0, equals + 1)}${maskToken(pair.slice(equals + 1))}`;
      })
      .join('&');
  }
  if (url.hash) url.hash = maskToken(url.hash.slice(1));
  return url.toString();
}

function maskToken(part: string): string {
  return part.length >= TOKEN_MIN_LENGTH ? `***${part.slice(-4)}` : part;
}
