import http from 'node:http';

/** One authorization request on a kept-alive connection; its status. */
export function postAuthorization(
  agent: http.Agent,
  port: number,
  body: string,
  secret: string | undefined,
) {
  return new Promise<number>((resolve, reject) => {
    const request = http.request(
      {
        agent,
        host: '127.0.0.1',
        port,
        path: '/v1/authorizations',
        method: 'POST',
        headers: {
          authorization: `Bearer ${secret ?? ''}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
