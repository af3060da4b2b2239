/**
 * The local IAM proxy, with the real SDK clients a function uses, in front of a recording fake
 * emulator: an allowed call reaches the emulator unchanged; a call its catalogue entry does not
 * grant is answered as AWS answers it (AccessDeniedException, the service's shape), never
 * forwarded, and logged. A caller that is not a function keeps full access.
 */

import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import {
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  BatchGetItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FunctionDefinition } from '#functions/catalogue.ts';
import { CDK_DYNAMODB_ACTIONS, functionPolicy } from '#local/access-policy.ts';
import { type IamProxy, type ObservedCall, startIamProxy } from '#local/iam-proxy.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION, localResources } from '#local/wiring.ts';

const arns = { region: LOCAL_REGION, account: LOCAL_ACCOUNT };
const resources = localResources({ userPoolId: 'eu-west-3_pool' });

/** A function granted a bit of everything, and one granted nothing. */
const granted: FunctionDefinition = {
  entry: 'functions/bookings/handlers/probe.ts',
  description: 'test',
  tables: { bookings: 'read', contact: 'write', practitioners: 'read-write' },
  publishesEvents: true,
  sendsMail: true,
  stripe: true,
  identity: { actions: ['AdminGetUser'] },
  oneTimeSchedules: { target: 'sendAppointmentReminder' },
};
const bare: FunctionDefinition = { entry: 'functions/platform/handlers/probe.ts', description: 'test' };
/** A function that pushes to the WebSocket API's connections. */
const pusher: FunctionDefinition = {
  entry: 'functions/messaging/handlers/probe.ts',
  description: 'test',
  managesConnections: true,
};
/** A function that sends newsletter mail (with the newsletter's configuration set). */
const newsletterSender: FunctionDefinition = {
  entry: 'functions/newsletter/handlers/probe.ts',
  description: 'test',
  newsletter: true,
  sendsMail: true,
};
const principals = {
  KeyGranted: { name: 'grantedFn', policy: functionPolicy(granted, resources, arns) },
  KeyNewsletter: { name: 'newsletterFn', policy: functionPolicy(newsletterSender, resources, arns) },
  KeyBare: { name: 'bareFn', policy: functionPolicy(bare, resources, arns) },
  KeyPusher: { name: 'pusherFn', policy: functionPolicy(pusher, resources, arns) },
};

let upstream: Server;
let proxy: IamProxy;
const forwarded: {
  method: string;
  url: string;
  target: string | undefined;
  authorization: string | undefined;
  body: string;
}[] = [];
const logged: string[] = [];
const observed: ObservedCall[] = [];

/** Answers every call as its emulator would answer success, and records what it received. */
function fakeEmulator(req: IncomingMessage, body: string): { type: string; text: string } {
  if (req.url === '/' && req.headers['content-type']?.includes('x-www-form-urlencoded'))
    return {
      type: 'text/xml',
      text: '<SendEmailResponse><SendEmailResult><MessageId>m-1</MessageId></SendEmailResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></SendEmailResponse>',
    };
  if (req.url?.startsWith('/schedules/')) return { type: 'application/json', text: '{"ScheduleArn":"arn"}' };
  if (req.headers['x-amz-target'] === 'AWSEvents.PutEvents')
    return { type: 'application/x-amz-json-1.1', text: '{"FailedEntryCount":0,"Entries":[{"EventId":"e"}]}' };
  return { type: 'application/x-amz-json-1.0', text: body.includes('"Names"') ? '{"Parameters":[]}' : '{}' };
}

beforeAll(async () => {
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      forwarded.push({
        method: req.method ?? '',
        url: req.url ?? '',
        target: req.headers['x-amz-target'] as string | undefined,
        authorization: req.headers.authorization,
        body,
      });
      const answer = fakeEmulator(req, body);
      res.writeHead(200, { 'content-type': answer.type });
      res.end(answer.text);
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  proxy = await startIamProxy({
    arns,
    principal: (key) => principals[key as keyof typeof principals],
    upstreams: {
      dynamodb: url,
      events: url,
      scheduler: url,
      ssm: url,
      ses: url,
      'cognito-idp': url,
      'execute-api': url,
    },
    log: (line) => logged.push(line),
    observe: (call) => observed.push(call),
  });
});
afterAll(async () => {
  await proxy?.close();
  await new Promise((resolve) => upstream?.close(resolve));
});
beforeEach(() => {
  forwarded.length = 0;
  logged.length = 0;
  observed.length = 0;
});

const as = (accessKeyId: string) => ({
  endpoint: proxy.url,
  region: LOCAL_REGION,
  credentials: { accessKeyId, secretAccessKey: 's', sessionToken: 't' },
  maxAttempts: 1,
});
const denial = (fn: string, action: string, resource: string) =>
  `User: arn:aws:sts::000000000000:assumed-role/${fn}-role/${fn} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`;
const table = (name: string) => `arn:aws:dynamodb:eu-west-3:000000000000:table/mpbe-local-${name}`;
const key = { pk: { S: 'p' }, sk: { S: 's' } };

async function rejection(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  return promise.then(
    () => {
      throw new Error('expected a denial, the call succeeded');
    },
    (error: Error) => error,
  );
}

describe('DynamoDB', () => {
  const db = (k: string) => new DynamoDBClient(as(k));

  it('forwards an allowed call unchanged, and tells the observer who called what, timed on the wire', async () => {
    const sent = performance.now();
    await db('KeyGranted').send(new GetItemCommand({ TableName: 'mpbe-local-bookings', Key: key }));
    expect(observed).toEqual([
      {
        caller: 'grantedFn',
        service: 'dynamodb',
        operation: 'GetItem',
        tables: ['mpbe-local-bookings'],
        receivedAt: expect.any(Number),
        startedAt: expect.any(Number),
        endedAt: expect.any(Number),
        status: 200,
      },
    ]);
    const [call] = observed;
    expect(call!.receivedAt).toBeGreaterThanOrEqual(sent);
    expect(call!.startedAt).toBeGreaterThanOrEqual(call!.receivedAt);
    expect(call!.endedAt).toBeGreaterThanOrEqual(call!.startedAt);
    expect(call!.endedAt).toBeLessThanOrEqual(performance.now());
    expect(forwarded).toHaveLength(1);
    expect(forwarded[0]?.target).toBe('DynamoDB_20120810.GetItem');
    expect(forwarded[0]?.authorization).toContain('Credential=KeyGranted/');
    expect(JSON.parse(forwarded[0]?.body ?? '{}')).toEqual({ TableName: 'mpbe-local-bookings', Key: key });
    expect(logged).toEqual([]);
  });

  it('denies a table the entry does not declare, as AWS does, without forwarding it, and logs it', async () => {
    const error = await rejection(
      db('KeyGranted').send(new GetItemCommand({ TableName: 'mpbe-local-accounts', Key: key })),
    );
    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toBe(denial('grantedFn', 'dynamodb:GetItem', table('accounts')));
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(forwarded).toEqual([]);
    expect(observed).toEqual([]);
    expect(logged).toEqual([
      '✖ access denied: grantedFn dynamodb:GetItem on table mpbe-local-accounts — not in its catalogue entry (functions/catalogue.ts)',
    ]);
    expect(proxy.denials().at(-1)).toEqual({
      function: 'grantedFn',
      action: 'dynamodb:GetItem',
      resource: table('accounts'),
    });
  });

  it('denies a write with read access, and a read with write access', async () => {
    const write = await rejection(
      db('KeyGranted').send(new PutItemCommand({ TableName: 'mpbe-local-bookings', Item: key })),
    );
    expect(write.message).toBe(denial('grantedFn', 'dynamodb:PutItem', table('bookings')));
    const read = await rejection(
      db('KeyGranted').send(new GetItemCommand({ TableName: 'mpbe-local-contact', Key: key })),
    );
    expect(read.message).toBe(denial('grantedFn', 'dynamodb:GetItem', table('contact')));
    await db('KeyGranted').send(new PutItemCommand({ TableName: 'mpbe-local-contact', Item: key }));
    expect(forwarded).toHaveLength(1);
  });

  it('checks every item of a transaction and of a batch', async () => {
    const transaction = (extra: object) =>
      db('KeyGranted').send(
        new TransactWriteItemsCommand({
          TransactItems: [{ Put: { TableName: 'mpbe-local-practitioners', Item: key } }, extra],
        }),
      );
    const undeclared = await rejection(transaction({ Delete: { TableName: 'mpbe-local-security', Key: key } }));
    expect(undeclared.message).toBe(denial('grantedFn', 'dynamodb:DeleteItem', table('security')));
    // CDK's write grant has no ConditionCheckItem (it is a read action).
    const check = await rejection(
      transaction({
        ConditionCheck: { TableName: 'mpbe-local-contact', Key: key, ConditionExpression: 'attribute_exists(pk)' },
      }),
    );
    expect(check.message).toBe(denial('grantedFn', 'dynamodb:ConditionCheckItem', table('contact')));
    const batch = await rejection(
      db('KeyGranted').send(
        new BatchGetItemCommand({
          RequestItems: { 'mpbe-local-bookings': { Keys: [key] }, 'mpbe-local-retention': { Keys: [key] } },
        }),
      ),
    );
    expect(batch.message).toBe(denial('grantedFn', 'dynamodb:BatchGetItem', table('retention')));
    expect(forwarded).toEqual([]);
    await transaction({
      Update: {
        TableName: 'mpbe-local-contact',
        Key: key,
        UpdateExpression: 'SET a = :a',
        ExpressionAttributeValues: { ':a': { S: 'x' } },
      },
    });
    expect(forwarded).toHaveLength(1);
  });

  it('allows an index of a granted table, and names the index when denying', async () => {
    const query = (k: string) =>
      db(k).send(
        new QueryCommand({
          TableName: 'mpbe-local-bookings',
          IndexName: 'byClient',
          KeyConditionExpression: 'clientKey = :c',
          ExpressionAttributeValues: { ':c': { S: 'c' } },
        }),
      );
    await query('KeyGranted');
    expect(forwarded).toHaveLength(1);
    const error = await rejection(query('KeyBare'));
    expect(error.message).toBe(denial('bareFn', 'dynamodb:Query', `${table('bookings')}/index/byClient`));
  });
});

describe('the other services', () => {
  it('EventBridge: PutEvents on the local bus only, for a function that publishes', async () => {
    const put = (k: string, bus?: string) =>
      new EventBridgeClient(as(k)).send(
        new PutEventsCommand({
          Entries: [{ Source: 's', DetailType: 'd', Detail: '{}', ...(bus ? { EventBusName: bus } : {}) }],
        }),
      );
    await put('KeyGranted', 'mpbe-local');
    expect(forwarded).toHaveLength(1);
    const bare = await rejection(put('KeyBare', 'mpbe-local'));
    expect(bare.name).toBe('AccessDeniedException');
    expect(bare.message).toBe(
      denial('bareFn', 'events:PutEvents', 'arn:aws:events:eu-west-3:000000000000:event-bus/mpbe-local'),
    );
    const defaultBus = await rejection(put('KeyGranted'));
    expect(defaultBus.message).toBe(
      denial('grantedFn', 'events:PutEvents', 'arn:aws:events:eu-west-3:000000000000:event-bus/default'),
    );
    expect(forwarded).toHaveLength(1);
  });

  it('SES: sends from MAIL_FROM only (ses:FromAddress), for a function that sends mail', async () => {
    const send = (k: string, from: string) =>
      new SESClient(as(k)).send(
        new SendEmailCommand({
          Source: from,
          Destination: { ToAddresses: ['someone@example.test'] },
          Message: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } },
        }),
      );
    await send('KeyGranted', resources.mail.from);
    expect(forwarded).toHaveLength(1);
    const other = await rejection(send('KeyGranted', 'ceo@monprodubienetre.fr'));
    expect(other.name).toBe('AccessDenied');
    expect(other.message).toBe(
      "User `arn:aws:sts::000000000000:assumed-role/grantedFn-role/grantedFn' is not authorized to perform `ses:SendEmail' on resource `arn:aws:ses:eu-west-3:000000000000:identity/monprodubienetre.fr'",
    );
    expect((await rejection(send('KeyBare', resources.mail.from))).name).toBe('AccessDenied');
    expect(forwarded).toHaveLength(1);
    // The log names neither address.
    expect(logged.join('\n')).not.toContain('@');
  });

  it('SES: a send naming a configuration set is authorized on the set too, the newsletter’s for its senders only', async () => {
    const send = (k: string, configurationSet?: string) =>
      new SESClient(as(k)).send(
        new SendEmailCommand({
          Source: resources.mail.from,
          Destination: { ToAddresses: ['someone@example.test'] },
          Message: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } },
          ...(configurationSet ? { ConfigurationSetName: configurationSet } : {}),
        }),
      );
    const newsletterSet = resources.newsletter().configurationSet;
    await send('KeyNewsletter', newsletterSet);
    expect(forwarded).toHaveLength(1);
    expect(forwarded[0]?.body).toContain(`ConfigurationSetName=${newsletterSet}`);
    const otherSet = await rejection(send('KeyNewsletter', 'mpbe-local-other'));
    expect(otherSet.name).toBe('AccessDenied');
    expect(otherSet.message).toBe(
      "User `arn:aws:sts::000000000000:assumed-role/newsletterFn-role/newsletterFn' is not authorized to perform `ses:SendEmail' on resource `arn:aws:ses:eu-west-3:000000000000:configuration-set/mpbe-local-other'",
    );
    // A function that sends other mail: without a set as before, never with the newsletter's.
    await send('KeyGranted');
    expect(forwarded).toHaveLength(2);
    const notItsSet = await rejection(send('KeyGranted', newsletterSet));
    expect(notItsSet.message).toContain(
      `on resource \`arn:aws:ses:eu-west-3:000000000000:configuration-set/${newsletterSet}'`,
    );
    expect(forwarded).toHaveLength(2);
  });

  it('SSM: GetParameters on the two Stripe parameters only', async () => {
    const get = (k: string, names: string[]) => new SSMClient(as(k)).send(new GetParametersCommand({ Names: names }));
    await get('KeyGranted', [resources.stripe.secretKeyParameter, resources.stripe.webhookSecretParameter]);
    expect(forwarded).toHaveLength(1);
    const other = await rejection(get('KeyGranted', [resources.stripe.secretKeyParameter, '/mpbe/local/other']));
    expect(other.name).toBe('AccessDeniedException');
    expect(other.message).toBe(
      denial('grantedFn', 'ssm:GetParameters', 'arn:aws:ssm:eu-west-3:000000000000:parameter/mpbe/local/other'),
    );
  });

  it('Scheduler: CreateSchedule and DeleteSchedule in its group, PassRole on its role, nothing else', async () => {
    const settings = resources.oneTimeSchedules('sendAppointmentReminder');
    const scheduler = new SchedulerClient(as('KeyGranted'));
    const create = (group: string, roleArn = settings.roleArn) =>
      scheduler.send(
        new CreateScheduleCommand({
          Name: 'reminder-1',
          GroupName: group,
          ScheduleExpression: 'at(2030-01-01T00:00:00)',
          FlexibleTimeWindow: { Mode: 'OFF' },
          Target: { Arn: settings.targetArn, RoleArn: roleArn },
        }),
      );
    await create(settings.groupName);
    await scheduler.send(new DeleteScheduleCommand({ Name: 'reminder-1', GroupName: settings.groupName }));
    expect(forwarded).toHaveLength(2);
    const otherGroup = await rejection(create('default'));
    expect(otherGroup.name).toBe('AccessDeniedException');
    expect(otherGroup.$metadata?.httpStatusCode).toBe(403);
    expect(otherGroup.message).toBe(
      denial(
        'grantedFn',
        'scheduler:CreateSchedule',
        'arn:aws:scheduler:eu-west-3:000000000000:schedule/default/reminder-1',
      ),
    );
    const otherRole = await rejection(create(settings.groupName, 'arn:aws:iam::000000000000:role/admin'));
    expect(otherRole.message).toBe(denial('grantedFn', 'iam:PassRole', 'arn:aws:iam::000000000000:role/admin'));
    const get = await rejection(
      scheduler.send(new GetScheduleCommand({ Name: 'reminder-1', GroupName: settings.groupName })),
    );
    expect(get.message).toContain('scheduler:GetSchedule');
    expect(forwarded).toHaveLength(2);
  });

  it('Cognito: the admin actions of identity.actions, on the pool only', async () => {
    const cognito = (k: string) => new CognitoIdentityProviderClient(as(k));
    await cognito('KeyGranted').send(new AdminGetUserCommand({ UserPoolId: 'eu-west-3_pool', Username: 'u' }));
    expect(forwarded).toHaveLength(1);
    const action = await rejection(
      cognito('KeyGranted').send(new AdminDeleteUserCommand({ UserPoolId: 'eu-west-3_pool', Username: 'u' })),
    );
    expect(action.name).toBe('AccessDeniedException');
    expect(action.message).toBe(
      denial(
        'grantedFn',
        'cognito-idp:AdminDeleteUser',
        'arn:aws:cognito-idp:eu-west-3:000000000000:userpool/eu-west-3_pool',
      ),
    );
    const pool = await rejection(
      cognito('KeyGranted').send(new AdminGetUserCommand({ UserPoolId: 'eu-west-3_other', Username: 'u' })),
    );
    expect(pool.message).toContain('userpool/eu-west-3_other');
    expect(forwarded).toHaveLength(1);
  });

  it('API Gateway management API: ManageConnections on the local stage’s connections, for a function that manages them', async () => {
    // As a function gets it: WEBSOCKET_ENDPOINT, the proxy's URL and the stage.
    const endpoint = localResources({ awsEndpoint: () => proxy.url }).webSocket().endpoint;
    expect(endpoint).toBe(`${proxy.url}/local`);
    const connections = (k: string, at = endpoint) => new ApiGatewayManagementApiClient({ ...as(k), endpoint: at });
    const id = 'ZDb-VclrIAMCJ3w=';
    await connections('KeyPusher').send(new PostToConnectionCommand({ ConnectionId: id, Data: 'hello' }));
    await connections('KeyPusher').send(new GetConnectionCommand({ ConnectionId: id }));
    await connections('KeyPusher').send(new DeleteConnectionCommand({ ConnectionId: id }));
    // Forwarded unchanged: the SDK kept the endpoint's path (the stage) before `/@connections/<id>`.
    expect(forwarded.map((f) => `${f.method} ${f.url}`)).toEqual([
      'POST /local/@connections/ZDb-VclrIAMCJ3w%3D',
      'GET /local/@connections/ZDb-VclrIAMCJ3w%3D',
      'DELETE /local/@connections/ZDb-VclrIAMCJ3w%3D',
    ]);
    expect(forwarded[0]?.body).toBe('hello');
    expect(forwarded[0]?.authorization).toContain('/eu-west-3/execute-api/aws4_request');
    const connectionArn = (stage: string, method: string) =>
      `arn:aws:execute-api:eu-west-3:000000000000:localws/${stage}/${method}/@connections/ZDb-VclrIAMCJ3w%3D`;
    const bare = await rejection(
      connections('KeyBare').send(new PostToConnectionCommand({ ConnectionId: id, Data: 'hello' })),
    );
    expect(bare.name).toBe('AccessDeniedException');
    expect(bare.$metadata?.httpStatusCode).toBe(403);
    expect(bare.message).toBe(denial('bareFn', 'execute-api:ManageConnections', connectionArn('local', 'POST')));
    const deleting = await rejection(connections('KeyGranted').send(new DeleteConnectionCommand({ ConnectionId: id })));
    expect(deleting.message).toBe(
      denial('grantedFn', 'execute-api:ManageConnections', connectionArn('local', 'DELETE')),
    );
    // Another stage's connections are not granted.
    const otherStage = await rejection(
      connections('KeyPusher', `${proxy.url}/prod`).send(new PostToConnectionCommand({ ConnectionId: id, Data: 'x' })),
    );
    expect(otherStage.message).toBe(denial('pusherFn', 'execute-api:ManageConnections', connectionArn('prod', 'POST')));
    expect(forwarded).toHaveLength(3);
    expect(logged).toEqual([
      '✖ access denied: bareFn execute-api:ManageConnections on connections of localws/local — not in its catalogue entry (functions/catalogue.ts)',
      '✖ access denied: grantedFn execute-api:ManageConnections on connections of localws/local — not in its catalogue entry (functions/catalogue.ts)',
      '✖ access denied: pusherFn execute-api:ManageConnections on connections of localws/prod — not in its catalogue entry (functions/catalogue.ts)',
    ]);
  });

  it('lets a caller that is no function (tests, tools, the stream poller, cognito-local) do anything', async () => {
    await new DynamoDBClient(as('local')).send(new PutItemCommand({ TableName: 'mpbe-local-accounts', Item: key }));
    await new CognitoIdentityProviderClient(as('local')).send(
      new AdminDeleteUserCommand({ UserPoolId: 'eu-west-3_pool', Username: 'u' }),
    );
    expect(forwarded).toHaveLength(2);
    expect(logged).toEqual([]);
  });
});

describe('the grants', () => {
  it('use the action sets of CDK’s table grants (aws-cdk-lib aws-dynamodb/lib/perms.js)', () => {
    // Not in the package's exports: read by path, so a CDK upgrade that changes them fails here.
    const require = createRequire(import.meta.url);
    const cdk = require(
      `${require.resolve('aws-cdk-lib/package.json').replace(/package\.json$/, '')}aws-dynamodb/lib/perms.js`,
    );
    expect(CDK_DYNAMODB_ACTIONS.RESOURCE_READ_DATA_ACTIONS).toEqual(cdk.RESOURCE_READ_DATA_ACTIONS);
    expect(CDK_DYNAMODB_ACTIONS.PRINCIPAL_ONLY_READ_DATA_ACTIONS).toEqual(cdk.PRINCIPAL_ONLY_READ_DATA_ACTIONS);
    expect(CDK_DYNAMODB_ACTIONS.WRITE_DATA_ACTIONS).toEqual(cdk.WRITE_DATA_ACTIONS);
    expect(CDK_DYNAMODB_ACTIONS.DESCRIBE_TABLE).toEqual(cdk.DESCRIBE_TABLE);
  });
});
