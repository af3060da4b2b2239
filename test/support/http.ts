/**
 * HTTP calls from a chosen loopback address (127.0.0.0/8 is all loopback on Linux), so that a test
 * can play a client with its own IP: rate limits and connection records are per source IP.
 *
 * Each request has a connection of its own (`agent: false`). Node's global agent keeps sockets
 * alive for 5 s, exactly the server's keep-alive timeout: a request sent on a socket the server was
 * closing at that instant failed with EPIPE (one red CI run, in the fuzz test).
 */
import { type IncomingHttpHeaders, request } from 'node:http';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * A `fetch` whose requests leave from `localAddress` (openapi-fetch's `fetch` option): the Request
 * is sent as it is with node:http, the answer comes back as a Response.
 */
export function fetchFrom(localAddress: string): (input: Request) => Promise<Response> {
  return async (input) => {
    const body = input.body ? Buffer.from(await input.arrayBuffer()) : undefined;
    const headers: Record<string, string> = {};
    input.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const reply = await new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>(
      (resolve, reject) => {
        const req = request(input.url, { method: input.method, headers, localAddress, agent: false }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
          );
        });
        req.on('error', reject);
        req.end(body);
      },
    );
    const answerHeaders = new Headers();
    for (const [name, value] of Object.entries(reply.headers)) {
      for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value])
        answerHeaders.append(name, one);
    }
    // A Response of these statuses has no body, by definition (Fetch: null body status).
    const noBody = [101, 204, 205, 304].includes(reply.status);
    return new Response(noBody ? null : reply.body, { status: reply.status, headers: answerHeaders });
  };
}

export function callFrom(
  localAddress: string,
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: options.method ?? 'GET', headers: options.headers, localAddress, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
