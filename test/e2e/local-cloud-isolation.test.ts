/**
 * The local cloud cannot hide an AWS failure: a real handler whose catalogue entry lacks a grant
 * fails locally with AWS's AccessDeniedException, and the local cloud's log says which function,
 * action and table. The handler runs in its own instance through the local IAM proxy, in front of
 * the test cloud's DynamoDB Local, with a substituted catalogue entry (the rest is as wired).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ContactRequestReceived } from '#events/catalogue.ts';
import { type FunctionName, functions } from '#functions/catalogue.ts';
import { type FunctionPrincipal, type IamProxy, startIamProxy } from '#local/iam-proxy.ts';
import { createLambdaRuntime, type LambdaRuntime } from '#local/lambda-runtime.ts';
import { catalogueSources, LOCAL_ACCOUNT, LOCAL_REGION, localResources, localWiring } from '#local/wiring.ts';

const cloud = inject('cloud');
const logged: string[] = [];
let proxy: IamProxy;
let runtime: LambdaRuntime;

beforeAll(async () => {
  const principals = new Map<string, FunctionPrincipal>();
  proxy = await startIamProxy({
    arns: { region: LOCAL_REGION, account: LOCAL_ACCOUNT },
    principal: (key) => principals.get(key),
    upstreams: { dynamodb: cloud.urls.dynamodb, ses: cloud.urls.mailViewer },
    log: (line) => logged.push(line),
  });
  // notifyPlatformInbox reads the contact request it announces; here its entry may only write it.
  const sources = {
    ...catalogueSources,
    functions: {
      ...functions,
      notifyPlatformInbox: { ...functions.notifyPlatformInbox, tables: { contact: 'write' as const } },
    },
  };
  const wiring = localWiring({
    sources,
    resources: localResources({ userPoolId: cloud.cognito.userPoolId }),
    runtime: {
      awsEndpoint: proxy.url,
      credentials: (name) => ({ accessKeyId: `Test${name}`, secretAccessKey: 's', sessionToken: 't' }),
      logLevel: 'SILENT',
    },
  });
  for (const name of Object.keys(wiring.functions) as FunctionName[])
    principals.set(`Test${name}`, { name, policy: wiring.functions[name].policy });
  runtime = createLambdaRuntime({
    root: join(import.meta.dirname, '..', '..'),
    account: LOCAL_ACCOUNT,
    definitions: sources.functions,
    environment: (name) => wiring.environmentOf(name),
  });
});
afterAll(async () => {
  await runtime?.stop();
  await proxy?.close();
});

describe('a function whose entry lacks a grant', () => {
  it('fails with AccessDeniedException, and the local cloud logs the denial', async () => {
    const event = {
      version: '0',
      id: 'e-1',
      'detail-type': ContactRequestReceived.detailType,
      source: ContactRequestReceived.source,
      account: LOCAL_ACCOUNT,
      time: new Date().toISOString(),
      region: LOCAL_REGION,
      resources: [],
      detail: {
        metadata: { eventId: 'evt_0001', occurredAt: new Date().toISOString(), version: 1, correlationId: 'evt_0001' },
        data: { contactRequestId: 'contact_00000000000000000000000000000000' },
      },
    };
    // The handler rethrows without the message (it may quote a value), keeping the error's name.
    await expect(runtime.invoke('notifyPlatformInbox', event)).rejects.toThrow(
      'ContactRequestReceived handling failed: AccessDeniedException',
    );
    expect(proxy.denials()).toEqual([
      {
        function: 'notifyPlatformInbox',
        action: 'dynamodb:GetItem',
        resource: 'arn:aws:dynamodb:eu-west-3:000000000000:table/mpbe-local-contact',
      },
    ]);
    expect(logged).toContain(
      '✖ access denied: notifyPlatformInbox dynamodb:GetItem on table mpbe-local-contact — not in its catalogue entry (functions/catalogue.ts)',
    );
  });
});
