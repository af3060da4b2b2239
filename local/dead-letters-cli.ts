/**
 * `npm run dead-letters`: lists the messages of the bounded contexts' dead-letter queues, and with
 * `--redrive` hands each one back to its function (local/dead-letters.ts). The same code for the
 * local cloud (default) and for AWS (`--aws`), through the SQS and Lambda APIs.
 *
 *   npm run dead-letters                              the local cloud of `npm start` (MPBE_AWS_PORT, 4010)
 *   npm run dead-letters -- --ready ready.json        the local cloud that wrote this MPBE_READY_FILE
 *   npm run dead-letters -- --redrive                 redrive every message, then list what is left
 *   npm run dead-letters -- --queue bookings --limit 10 --redrive
 *   npm run dead-letters -- --aws [--stack-name MonProDuBienEtre] [--region eu-west-3] [--redrive]
 *
 * Exit code: 0 when done (every message redriven with --redrive); 1 when a message could not be
 * redriven (it stays in its queue); 2 for a usage error; 3 when the queues cannot be read.
 * Never prints a message body (docs/runbooks/dead-letters.md).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import {
  type DeadLetter,
  describe,
  findQueues,
  type Queue,
  queueCounts,
  type RedriveOutcome,
  receiveAll,
  redrive,
  release,
} from './dead-letters.ts';
import { LOCAL_QUEUE_PREFIX } from './sqs-dead-letters.ts';

const usage = `Usage: npm run dead-letters -- [--redrive] [--queue <name or context>] [--limit <n>]
                            [--aws [--stack-name <name>] [--region <region>]] [--ready <file>]`;

let values: ReturnType<typeof parse>['values'];
function parse() {
  return parseArgs({
    options: {
      redrive: { type: 'boolean' },
      queue: { type: 'string' },
      limit: { type: 'string' },
      aws: { type: 'boolean' },
      'stack-name': { type: 'string' },
      region: { type: 'string' },
      ready: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
}
try {
  ({ values } = parse());
} catch (error) {
  console.error(`${(error as Error).message}\n${usage}`);
  process.exit(2);
}
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const limit = values.limit === undefined ? 1000 : Number(values.limit);
if (!Number.isInteger(limit) || limit < 1) {
  console.error(`--limit must be a positive whole number.\n${usage}`);
  process.exit(2);
}
if (values.aws && values.ready) {
  console.error(`--aws and --ready name two different clouds.\n${usage}`);
  process.exit(2);
}

/** Where the queues are: AWS (the default credential chain) or a local cloud's AWS endpoint. */
function target(): { sqs: SQSClient; lambda: LambdaClient; prefix: string; where: string; waitSeconds: number } {
  if (values.aws) {
    const region = values.region ?? process.env.AWS_REGION ?? 'eu-west-3';
    const prefix = values['stack-name'] ?? 'MonProDuBienEtre';
    return {
      sqs: new SQSClient({ region }),
      lambda: new LambdaClient({ region }),
      prefix,
      where: `AWS ${region}, stack ${prefix}`,
      // Long polling asks every SQS server: short polling may answer empty while messages remain.
      waitSeconds: 1,
    };
  }
  let endpoint = `http://127.0.0.1:${process.env.MPBE_AWS_PORT ?? '4010'}`;
  if (values.ready) {
    try {
      endpoint = (JSON.parse(readFileSync(values.ready, 'utf8')) as { urls: { aws: string } }).urls.aws;
    } catch (error) {
      console.error(`\n  ✖ No local cloud's ready file at ${values.ready}: ${(error as Error).message}\n`);
      process.exit(3);
    }
  }
  const local = {
    endpoint,
    region: 'eu-west-3',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
  return {
    sqs: new SQSClient(local),
    lambda: new LambdaClient(local),
    prefix: values['stack-name'] ?? LOCAL_QUEUE_PREFIX,
    where: `the local cloud (${endpoint})`,
    waitSeconds: 0,
  };
}

const { sqs, lambda, prefix, where, waitSeconds } = target();
const now = new Date();
const lines: string[] = [];
const say = (line = '') => lines.push(line);
let exitCode = 0;

try {
  let queues = await findQueues(sqs, prefix);
  if (values.queue) {
    const wanted = values.queue;
    queues = queues.filter((q) => q.name === wanted || q.name === `${prefix}-${wanted}-dead-letters`);
    if (queues.length === 0) {
      console.error(`No dead-letter queue ${wanted} in ${where}.`);
      process.exit(2);
    }
  }
  say(`  Dead-letter queues of ${where}${values.redrive ? ': redrive' : ''}`);
  say();
  if (queues.length === 0) say(`  (no queue named ${prefix}-<context>-dead-letters)`);
  const outcomes: RedriveOutcome[] = [];
  for (const queue of queues) {
    if (values.redrive) outcomes.push(...(await redriveQueue(queue)));
    await list(queue);
  }
  if (values.redrive) {
    const redriven = outcomes.filter((o) => o.outcome === 'redriven').length;
    const kept = outcomes.filter(
      (o): o is Exclude<RedriveOutcome, { outcome: 'redriven' }> => o.outcome !== 'redriven',
    );
    say();
    say(`  Redriven: ${redriven}; kept: ${kept.length}`);
    for (const o of kept) {
      say(`    ${o.outcome === 'failed' ? 'failed' : 'kept'}  ${o.letter.queue} ${o.letter.messageId}: ${o.why}`);
    }
    if (kept.length > 0) exitCode = 1;
  }
  say();
  console.log(lines.join('\n'));
} catch (error) {
  console.log(lines.join('\n'));
  console.error(
    `\n  ✖ The dead-letter queues could not be read: ${(error as Error).name}: ${(error as Error).message}`,
  );
  console.error(
    values.aws ? '    Are AWS credentials set for this account?\n' : '    Is the local cloud running (npm start)?\n',
  );
  exitCode = 3;
} finally {
  sqs.destroy();
  lambda.destroy();
}
process.exit(exitCode);

async function redriveQueue(queue: Queue): Promise<RedriveOutcome[]> {
  const letters = await receiveAll(sqs, queue, { limit, waitSeconds, visibilitySeconds: 300 });
  const outcomes: RedriveOutcome[] = [];
  for (const letter of letters) outcomes.push(await redrive({ sqs, lambda }, queue, letter));
  return outcomes;
}

async function list(queue: Queue): Promise<void> {
  const { visible, inFlight } = await queueCounts(sqs, queue);
  const total = visible + inFlight;
  if (total === 0) {
    say(`  ${queue.name}: empty`);
    return;
  }
  say(
    `  ${queue.name}: ${total} message${total === 1 ? '' : 's'}${inFlight > 0 ? ` (${inFlight} being handled elsewhere)` : ''}`,
  );
  let letters: DeadLetter[] = [];
  try {
    // Read with a short visibility timeout, then released: listing leaves every message in place.
    letters = await receiveAll(sqs, queue, { limit, waitSeconds, visibilitySeconds: 60 });
    for (const letter of letters) say(`    ${describe(letter, now)}`);
    if (visible > letters.length) say(`    … and ${visible - letters.length} more (--limit ${limit})`);
  } finally {
    for (const letter of letters) await release(sqs, queue, letter).catch(() => undefined);
  }
}
