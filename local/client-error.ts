/**
 * What the local gateway answers to a request Node's HTTP parser refuses before any route sees it
 * (headers or URL over Node's 16 KB, a malformed request line…): a problem, like every other
 * refusal of the API, instead of Node's bare `400`/`431` with no body. In AWS, CloudFront and API
 * Gateway refuse such requests themselves (414, 431, 400) before any function runs.
 */
import type { Socket } from 'node:net';
import { HttpProblem } from '#shared/http/problem.ts';
import { SECURITY_HEADERS } from '#shared/http/security-headers.ts';

export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable || (socket as Socket & { _httpMessage?: unknown })._httpMessage) {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const problem = tooLarge
    ? new HttpProblem(431, 'Request header fields too large', 'The URL and headers exceed 16 KB')
    : new HttpProblem(400, 'Bad request', 'The request is not valid HTTP');
  const body = JSON.stringify(problem.toProblem());
  const headers = {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/problem+json',
    'Content-Length': String(Buffer.byteLength(body)),
    Connection: 'close',
  };
  const head = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\r\n');
  const reason = tooLarge ? 'Request Header Fields Too Large' : 'Bad Request';
  socket.end(`HTTP/1.1 ${problem.status} ${reason}\r\n${head}\r\n\r\n${body}`);
}
