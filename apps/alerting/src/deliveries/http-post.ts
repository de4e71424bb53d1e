import { request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { assertReceiverLiteral, receiverLookup } from '../channels/webhook-url';
import type { UrlPolicy } from '../channels/webhook-url';
import { AttemptFailed } from './attempt';
import type { AttemptDeadline } from './attempt';

const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * POSTs a body and resolves with the response status once it has been read, all of it
 * (connecting, sending, the answer and its body) before the attempt's deadline. Redirects are
 * not followed (a redirect could lead to an address the URL policy refuses). The connection goes
 * only to addresses the policy allows, checked on the address it actually connects to.
 */
export function postBody(
  url: URL,
  body: string,
  headers: Record<string, string>,
  options: { readonly deadline: AttemptDeadline; readonly policy: UrlPolicy },
): Promise<number> {
  try {
    assertReceiverLiteral(url, options.policy);
  } catch (error) {
    return Promise.reject(new AttemptFailed((error as Error).message));
  }
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<number>((resolve, reject) => {
    const { signal } = options.deadline;
    const fail = (message: string) => reject(new AttemptFailed(message));
    const outgoing = request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        signal,
        lookup: receiverLookup(options.policy),
      },
      (response: IncomingMessage) => {
        let received = 0;
        response.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > MAX_RESPONSE_BYTES) response.destroy();
        });
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('close', () => resolve(response.statusCode ?? 0));
        response.on('error', () => resolve(response.statusCode ?? 0));
      },
    );
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      if (signal.aborted) return fail(`no answer within ${options.deadline.ms} ms`);
      if (error.code === 'ADDRESS_NOT_ALLOWED') return fail(error.message);
      return fail(error.code ? `${error.code} connecting to the receiver` : error.message);
    });
    outgoing.end(body);
  });
}
