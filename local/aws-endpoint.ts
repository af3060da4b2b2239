/**
 * One local HTTP endpoint for the AWS APIs the backend calls on the local bus and scheduler, so
 * that the real SDK clients work against them with `endpoint` (or AWS_ENDPOINT_URL_EVENTBRIDGE /
 * AWS_ENDPOINT_URL_SCHEDULER) and any credentials (signatures are not checked):
 * - EventBridge, JSON 1.1 protocol: `POST /` with `X-Amz-Target: AWSEvents.PutEvents`;
 * - EventBridge Scheduler, REST-JSON protocol: CreateSchedule (`POST /schedules/{Name}`),
 *   GetSchedule (`GET`), DeleteSchedule (`DELETE`), with `?groupName=`;
 * - SSM Parameter Store, JSON 1.1: `AmazonSSM.GetParameters` (the Stripe keys, given at start as
 *   plain values: locally there is nothing to decrypt);
 * - Lambda Invoke, REST-JSON (`POST /2015-03-31/functions/{FunctionName}/invocations`): runs the
 *   catalogue function (by name or ARN, qualifier ignored) in the local runtime. RequestResponse
 *   (cognito-local's triggers): a handler error answers as Lambda does, 200 with
 *   `X-Amz-Function-Error: Unhandled` and `{ errorType, errorMessage }` (no stack: the caller may
 *   show the message). Event (asynchronous; `npm run dead-letters -- --redrive`): 202 at once, then
 *   the run with Lambda's asynchronous retries and on-failure queue (local/lambda-async.ts).
 *   DryRun: 204 when the function exists;
 * - SQS, JSON 1.0 (`X-Amz-Target: AmazonSQS.<Operation>`): the dead-letter queues of the contexts,
 *   kept in DynamoDB Local (local/sqs.ts); queue URLs are `<this endpoint>/<account>/<queue>`;
 * - Local controls, no AWS API: `POST /_local/schedules/{Name}/fire?groupName=` runs a schedule
 *   now as if its time had come (LocalScheduler.fireNow) and answers once the run is over, so
 *   that tests and demos need not wait hours for a reminder; `POST /_local/services/{name}/stop`
 *   and `/start` stop and restart an emulated service (`ses`): an outage, to see where the mail
 *   that could not be sent goes and to practise its redrive (docs/runbooks/dead-letters.md).
 * Errors answer as AWS does: `{ __type, message }` with the error name also in X-Amzn-ErrorType.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { type FunctionName, functions } from '#functions/catalogue.ts';
import { AwsServiceError, type LocalEventBus, putEventsResponse } from './event-bus.ts';
import type { AsyncInvoker } from './lambda-async.ts';
import {
  type CreateScheduleInput,
  DEFAULT_GROUP,
  type FlexibleTimeWindow,
  functionNameFromArn,
  type LocalScheduler,
  type ScheduleState,
} from './scheduler.ts';
import { type LocalQueues, SQS_TARGET_PREFIX, sqsOperation } from './sqs.ts';

/** An emulated service the local controls can stop and start again. */
export interface ControlledService {
  readonly running: boolean;
  pause(): Promise<void>;
  resume(): Promise<void>;
}

export interface AwsEndpointOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  bus: LocalEventBus;
  scheduler?: LocalScheduler;
  /** Runs a catalogue function (the local Lambda runtime), for the Lambda Invoke API. */
  invoke?: (name: FunctionName, event: unknown) => Promise<unknown>;
  /** SSM parameters by name, for GetParameters. */
  parameters?: Readonly<Record<string, string>>;
  /** Lambda's asynchronous invocation, for Invoke with `X-Amz-Invocation-Type: Event`. */
  asyncInvoker?: Pick<AsyncInvoker, 'invokeAsync'>;
  /** The SQS queues (the dead-letter queues). */
  queues?: LocalQueues;
  /** Emulated services by name, for the stop/start controls. */
  services?: Readonly<Record<string, ControlledService>>;
  log?: (line: string) => void;
}

export interface AwsEndpoint {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;
const JSON_1_1 = 'application/x-amz-json-1.1';
const JSON_1_0 = 'application/x-amz-json-1.0';

export async function startAwsEndpoint(options: AwsEndpointOptions): Promise<AwsEndpoint> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? ((line: string) => console.log(line));

  /** This endpoint's URL, which the SQS queue URLs start with (known once it listens). */
  let endpointUrl = '';
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof AwsServiceError) return sendError(res, error, contentTypeFor(req));
      log(
        `aws-endpoint: ${req.method} ${req.url?.split('?')[0]} outcome=internal-error error=${(error as Error).name}`,
      );
      sendError(res, new AwsServiceError('InternalFailure', 'The local endpoint failed.', 500), contentTypeFor(req));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    const target = req.headers['x-amz-target'];
    if (
      req.method === 'POST' &&
      url.pathname === '/' &&
      typeof target === 'string' &&
      target.startsWith(SQS_TARGET_PREFIX)
    ) {
      if (!options.queues) throw new AwsServiceError('UnknownOperationException', 'No local SQS is running here.');
      const answer = await sqsOperation(
        options.queues,
        target.slice(SQS_TARGET_PREFIX.length),
        await readJson(req),
        endpointUrl,
      );
      return send(res, 200, answer, JSON_1_0);
    }
    if (req.method === 'POST' && url.pathname === '/' && target !== undefined) {
      const body = await readJson(req);
      if (target === 'AmazonSSM.GetParameters') return send(res, 200, getParameters(body), JSON_1_1);
      if (target !== 'AWSEvents.PutEvents') {
        throw new AwsServiceError('UnknownOperationException', `The local endpoint does not implement ${target}.`);
      }
      const answer = putEventsResponse(options.bus.putEvents(toPutEventsEntries(body)));
      return send(res, 200, answer, JSON_1_1);
    }
    const invocation = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(url.pathname);
    if (invocation && req.method === 'POST') {
      return invokeFunction(res, decodeURIComponent(invocation[1] as string), req);
    }
    const control = /^\/_local\/services\/([^/]+)\/(stop|start)$/.exec(url.pathname);
    if (control && req.method === 'POST') {
      const name = decodeURIComponent(control[1] as string);
      const service = options.services?.[name];
      if (!service) throw new AwsServiceError('ResourceNotFoundException', `No local service ${name}.`, 404);
      if (control[2] === 'stop') await service.pause();
      else await service.resume();
      log(`aws-endpoint: service ${name} ${service.running ? 'started' : 'stopped'} (local control)`);
      return send(res, 200, { service: name, running: service.running });
    }
    const fire = /^\/_local\/schedules\/([^/]+)\/fire$/.exec(url.pathname);
    if (fire && req.method === 'POST') {
      if (!options.scheduler)
        throw new AwsServiceError('UnknownOperationException', 'No local scheduler is running here.');
      const name = decodeURIComponent(fire[1] as string);
      const { scheduledAt } = await options.scheduler.fireNow(name, url.searchParams.get('groupName') ?? DEFAULT_GROUP);
      return send(res, 200, { Name: name, FiredAt: scheduledAt.toISOString() });
    }
    const schedule = /^\/schedules\/([^/]+)$/.exec(url.pathname);
    if (schedule) {
      const scheduler = options.scheduler;
      if (!scheduler) throw new AwsServiceError('UnknownOperationException', 'No local scheduler is running here.');
      const name = decodeURIComponent(schedule[1] as string);
      const group = url.searchParams.get('groupName') ?? DEFAULT_GROUP;
      if (req.method === 'POST') {
        const { arn } = scheduler.createSchedule(toCreateSchedule(name, await readJson(req)));
        return send(res, 200, { ScheduleArn: arn });
      }
      if (req.method === 'GET') {
        const state = scheduler.getSchedule(name, group);
        if (!state) throw new AwsServiceError('ResourceNotFoundException', `Schedule ${name} does not exist.`, 404);
        return send(res, 200, toGetScheduleOutput(state));
      }
      if (req.method === 'DELETE') {
        scheduler.deleteSchedule(name, group);
        return send(res, 200, {});
      }
    }
    throw new AwsServiceError(
      'UnknownOperationException',
      `The local endpoint does not implement ${req.method} ${url.pathname}${target ? ` (${target})` : ''}.`,
    );
  }

  function getParameters(body: Record<string, unknown>) {
    const names = body.Names;
    if (!Array.isArray(names) || names.some((n) => typeof n !== 'string'))
      throw new AwsServiceError('ValidationException', 'Names must be a list of strings.');
    const known = options.parameters ?? {};
    return {
      Parameters: (names as string[])
        .filter((name) => Object.hasOwn(known, name))
        .map((name) => ({ Name: name, Type: 'SecureString', Value: known[name], Version: 1 })),
      InvalidParameters: (names as string[]).filter((name) => !Object.hasOwn(known, name)),
    };
  }

  async function invokeFunction(res: ServerResponse, nameOrArn: string, req: IncomingMessage): Promise<void> {
    const name = catalogueFunction(nameOrArn);
    if (!name || !options.invoke) {
      throw new AwsServiceError('ResourceNotFoundException', `Function not found: ${nameOrArn}`, 404);
    }
    const invocationType = req.headers['x-amz-invocation-type'] ?? 'RequestResponse';
    if (invocationType === 'DryRun') {
      res.writeHead(204, { 'x-amzn-requestid': randomUUID() });
      res.end();
      return;
    }
    if (invocationType === 'Event') {
      if (!options.asyncInvoker) {
        throw new AwsServiceError('InvalidParameterValueException', 'Asynchronous invocation is not emulated here.');
      }
      const payload = await readPayload(req);
      options.asyncInvoker.invokeAsync(name, payload);
      log(`aws-endpoint: invoke ${name} outcome=accepted (asynchronous)`);
      res.writeHead(202, { 'content-length': 0, 'x-amzn-requestid': randomUUID() });
      res.end();
      return;
    }
    if (invocationType !== 'RequestResponse') {
      throw new AwsServiceError(
        'InvalidParameterValueException',
        `Invocation type ${String(invocationType)} is not one of RequestResponse, Event, DryRun.`,
      );
    }
    const event = await readJson(req);
    let result: unknown;
    try {
      result = await options.invoke(name, event);
    } catch (error) {
      const { name: errorType, message: errorMessage } = error as Error;
      log(`aws-endpoint: invoke ${name} outcome=function-error error=${errorType}`);
      const payload = JSON.stringify({ errorType, errorMessage });
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(payload),
        'x-amz-function-error': 'Unhandled',
        'x-amz-executed-version': '$LATEST',
        'x-amzn-requestid': randomUUID(),
      });
      res.end(payload);
      return;
    }
    const payload = result === undefined ? 'null' : JSON.stringify(result);
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
      'x-amz-executed-version': '$LATEST',
      'x-amzn-requestid': randomUUID(),
    });
    res.end(payload);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  endpointUrl = url;
  return {
    url,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** A catalogue function named by its name, `mpbe-local-<name>`, or its ARN. */
function catalogueFunction(nameOrArn: string): FunctionName | undefined {
  const name = (functionNameFromArn(nameOrArn) ?? nameOrArn).replace(/^mpbe-local-/, '');
  return Object.hasOwn(functions, name) ? (name as FunctionName) : undefined;
}

function contentTypeFor(req: IncomingMessage): string {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string' && target.startsWith(SQS_TARGET_PREFIX)) return JSON_1_0;
  return target !== undefined ? JSON_1_1 : 'application/json';
}

function send(res: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(text);
}

function sendError(res: ServerResponse, error: AwsServiceError, contentType: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.setHeader('x-amzn-errortype', error.name);
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  send(res, error.statusCode, { __type: error.name, message: error.message }, contentType);
}

/** A Lambda payload: any JSON document (an object, an array, a string…); none is `{}`. */
async function readPayload(req: IncomingMessage): Promise<unknown> {
  const text = (await readBody(req)).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new AwsServiceError('InvalidRequestContentException', 'Could not parse request body into json.');
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new AwsServiceError('RequestEntityTooLarge', 'The request is too large.', 413);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = (await readBody(req)).toString('utf8');
  if (text.trim() === '') return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new AwsServiceError('SerializationException', 'The request body is not valid JSON.');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new AwsServiceError('SerializationException', 'The request body must be a JSON object.');
  }
  return body as Record<string, unknown>;
}

/** A timestamp of the JSON protocols: epoch seconds (a number), or an ISO string. */
function toDate(value: unknown, field: string): Date | undefined {
  if (value === undefined || value === null) return undefined;
  const date = typeof value === 'number' ? new Date(value * 1000) : typeof value === 'string' ? new Date(value) : null;
  if (!date || Number.isNaN(date.getTime()))
    throw new AwsServiceError('ValidationException', `${field} is not a timestamp.`);
  return date;
}

const epochSeconds = (date: Date | undefined) => (date === undefined ? undefined : date.getTime() / 1000);

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new AwsServiceError('SerializationException', `${field} must be a string.`);
  return value;
}

function toPutEventsEntries(body: Record<string, unknown>): PutEventsRequestEntry[] {
  const entries = body.Entries;
  if (!Array.isArray(entries)) {
    throw new AwsServiceError(
      'ValidationException',
      "1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null",
    );
  }
  return entries.map((raw, i) => {
    if (raw === null || typeof raw !== 'object') {
      throw new AwsServiceError('SerializationException', `Entries[${i}] must be an object.`);
    }
    const e = raw as Record<string, unknown>;
    const resources = e.Resources;
    if (resources !== undefined && (!Array.isArray(resources) || resources.some((r) => typeof r !== 'string'))) {
      throw new AwsServiceError('SerializationException', `Entries[${i}].Resources must be a list of strings.`);
    }
    const entry: PutEventsRequestEntry = {
      Source: optionalString(e.Source, 'Source'),
      DetailType: optionalString(e.DetailType, 'DetailType'),
      Detail: optionalString(e.Detail, 'Detail'),
      EventBusName: optionalString(e.EventBusName, 'EventBusName'),
      Resources: resources as string[] | undefined,
      Time: toDate(e.Time, 'Time'),
      TraceHeader: optionalString(e.TraceHeader, 'TraceHeader'),
    };
    for (const k of Object.keys(entry) as (keyof PutEventsRequestEntry)[]) {
      if (entry[k] === undefined) delete entry[k];
    }
    return entry;
  });
}

function toCreateSchedule(name: string, body: Record<string, unknown>): CreateScheduleInput {
  const target = body.Target as Record<string, unknown> | undefined;
  const expression = optionalString(body.ScheduleExpression, 'ScheduleExpression');
  const window = body.FlexibleTimeWindow as Record<string, unknown> | undefined;
  if (!expression || !target || typeof target.Arn !== 'string' || typeof target.RoleArn !== 'string' || !window) {
    throw new AwsServiceError(
      'ValidationException',
      'ScheduleExpression, Target (Arn, RoleArn) and FlexibleTimeWindow (Mode) are required.',
    );
  }
  const fn = functionNameFromArn(target.Arn);
  if (!fn) {
    throw new AwsServiceError(
      'ValidationException',
      `Target ${target.Arn} is not a Lambda function of functions/catalogue.ts (arn:aws:lambda:<region>:<account>:function:<FunctionName>).`,
    );
  }
  const inputText = optionalString(target.Input, 'Target.Input');
  let input: unknown = {};
  if (inputText !== undefined) {
    try {
      input = JSON.parse(inputText);
    } catch {
      throw new AwsServiceError('ValidationException', 'Target.Input must be valid JSON for a Lambda target.');
    }
  }
  const state = optionalString(body.State, 'State');
  const after = optionalString(body.ActionAfterCompletion, 'ActionAfterCompletion');
  if (state !== undefined && state !== 'ENABLED' && state !== 'DISABLED') {
    throw new AwsServiceError('ValidationException', 'State must be ENABLED or DISABLED.');
  }
  if (after !== undefined && after !== 'DELETE' && after !== 'NONE') {
    throw new AwsServiceError('ValidationException', 'ActionAfterCompletion must be DELETE or NONE.');
  }
  const mode = window.Mode;
  const maximumWindowInMinutes = window.MaximumWindowInMinutes;
  if (mode !== 'OFF' && mode !== 'FLEXIBLE') {
    throw new AwsServiceError('ValidationException', 'FlexibleTimeWindow.Mode must be OFF or FLEXIBLE.');
  }
  if (mode === 'FLEXIBLE' && (typeof maximumWindowInMinutes !== 'number' || maximumWindowInMinutes < 1)) {
    throw new AwsServiceError('ValidationException', 'A FLEXIBLE window needs MaximumWindowInMinutes (1 to 1440).');
  }
  const flexibleTimeWindow: FlexibleTimeWindow =
    mode === 'FLEXIBLE' ? { mode, maximumWindowInMinutes: maximumWindowInMinutes as number } : { mode };
  const groupName = optionalString(body.GroupName, 'GroupName');
  const timezone = optionalString(body.ScheduleExpressionTimezone, 'ScheduleExpressionTimezone');
  const description = optionalString(body.Description, 'Description');
  const startDate = toDate(body.StartDate, 'StartDate');
  const endDate = toDate(body.EndDate, 'EndDate');
  return {
    name,
    expression,
    target: fn,
    targetArn: target.Arn,
    roleArn: target.RoleArn,
    input,
    flexibleTimeWindow,
    ...(groupName !== undefined && { groupName }),
    ...(timezone !== undefined && { timezone }),
    ...(description !== undefined && { description }),
    ...(state !== undefined && { state }),
    ...(after !== undefined && { actionAfterCompletion: after }),
    ...(startDate !== undefined && { startDate }),
    ...(endDate !== undefined && { endDate }),
  };
}

function toGetScheduleOutput(s: ScheduleState): Record<string, unknown> {
  return {
    Arn: s.arn,
    GroupName: s.groupName,
    Name: s.name,
    ScheduleExpression: s.expression,
    ScheduleExpressionTimezone: s.timezone,
    Description: s.description,
    State: s.state,
    StartDate: epochSeconds(s.startDate),
    EndDate: epochSeconds(s.endDate),
    CreationDate: epochSeconds(s.createdAt),
    LastModificationDate: epochSeconds(s.lastModifiedAt),
    ActionAfterCompletion: s.actionAfterCompletion,
    FlexibleTimeWindow: {
      Mode: s.flexibleTimeWindow.mode,
      MaximumWindowInMinutes: s.flexibleTimeWindow.maximumWindowInMinutes,
    },
    Target: {
      Arn: s.targetArn,
      RoleArn: s.roleArn ?? 'arn:aws:iam::000000000000:role/local-scheduler',
      Input: JSON.stringify(s.input),
    },
  };
}
