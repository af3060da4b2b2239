/**
 * Preloaded into the cognito-local process (`node --import`): its console logger (pino-pretty)
 * writes through an asynchronous SonicBoom that, on a pipe, holds the last lines until the next
 * log line, so a code box could reach the mail bridge only at the next request (seen here: one
 * sign-up in three). Its output goes through a synchronous stream instead: each box is on our
 * side of the pipe when cognito-local answers the request that printed it.
 */
import { writeSync } from 'node:fs';
import Module from 'node:module';
import { Writable } from 'node:stream';

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
const loader = Module as unknown as { _load: Load };
const load = loader._load;

const stdout = () =>
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      writeSync(1, chunk);
      done();
    },
  });

loader._load = function (request, parent, isMain) {
  const exported = load.call(this, request, parent, isMain);
  if (request !== 'pino-pretty' || typeof exported !== 'function') return exported;
  const build = exported as (options: Record<string, unknown>) => unknown;
  const synchronous = (options: Record<string, unknown> = {}) => build({ ...options, destination: stdout() });
  return Object.assign(synchronous, exported, { default: synchronous });
};
