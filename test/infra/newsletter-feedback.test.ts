/**
 * SES's bounces and complaints of the newsletter's mails, in the synthesized templates
 * (infra/constructs/mail-feedback.ts, ADR 0020): in the newsletter context's stack, the
 * configuration set `<stack>-newsletter` and its BOUNCE and COMPLAINT event destination, and the
 * subscription of recordSesFeedback (with the context's dead-letter queue) to the SNS topic it
 * publishes to; in the data stack, that topic (its own rotated, retained KMS key that SES of this
 * account only may use, TLS only, SES publishing only for this configuration set of this account),
 * named by its deterministic ARN; the senders of newsletter mail (and only they) told the set and
 * allowed to send with it, from MAIL_FROM; the local cloud's IAM granting exactly the same.
 */
import { Stack } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultRetry } from '#events/rules.ts';
import { type FunctionDefinition, type FunctionName, functions } from '#functions/catalogue.ts';
import { contextOf } from '#functions/environment.ts';
import type { ContextStack } from '#infra/stacks/context-stack.ts';
import { allows, requestedPermissions } from '#local/access-policy.ts';
import { LOCAL_ACCOUNT, LOCAL_NEWSLETTER_CONFIGURATION_SET, LOCAL_REGION, localWiring } from '#local/wiring.ts';
import { NEWSLETTER_CONFIGURATION_SET_ENV } from '#shared/newsletter-config.ts';
import {
  type CfnResourceJson,
  functionNamed,
  logicalId,
  resourceOf,
  resourcesOfType,
  type Synthesized,
  synthesize,
  templateOf,
  withoutBundling,
} from './synth.ts';

let synth: Synthesized;
let newsletter: ContextStack;

beforeAll(() => {
  // With the cdk-nag packs: synthesis fails on any unacknowledged finding of the new resources.
  synth = synthesize({ context: withoutBundling() });
  newsletter = synth.backend.contexts.newsletter!;
});

const ACCOUNT = '123456789012';
const CONFIGURATION_SET = 'MonProDuBienEtre-newsletter';
const CONFIGURATION_SET_ARN = `arn:aws:ses:eu-west-3:${ACCOUNT}:configuration-set/${CONFIGURATION_SET}`;
const IDENTITY_ARN = `arn:aws:ses:eu-west-3:${ACCOUNT}:identity/monprodubienetre.fr`;
const TOPIC_NAME = 'MonProDuBienEtre-newsletter-feedback';
const TOPIC_ARN = `arn:aws:sns:eu-west-3:${ACCOUNT}:${TOPIC_NAME}`;

const entries = Object.entries(functions) as [FunctionName, FunctionDefinition][];
const sendsNewsletterMail = (definition: FunctionDefinition) => Boolean(definition.newsletter && definition.sendsMail);
const senders = entries.filter(([, definition]) => sendsNewsletterMail(definition)).map(([name]) => name);

type Statement = {
  Sid?: string;
  Effect?: string;
  Principal?: unknown;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
};

/** The statements of a function's role policies, in its own stack. */
function statementsOf(name: FunctionName): Statement[] {
  const role = functionNamed(synth, name).role;
  const roleId = logicalId(role);
  return Object.values(templateOf(synth, role).json.Resources)
    .filter((r: CfnResourceJson) => r.Type === 'AWS::IAM::Policy')
    .filter((r) => JSON.stringify(r.Properties?.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((r) => (r.Properties!.PolicyDocument as { Statement: Statement[] }).Statement);
}

const resourcesIn = (statement: Statement) =>
  (Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]).map((r) => JSON.stringify(r));

/** The resources of a type in the newsletter context's stack. */
function inNewsletter(type: string): [string, Record<string, unknown>][] {
  return Object.entries(templateOf(synth, newsletter).json.Resources)
    .filter(([, r]) => r.Type === type)
    .map(([id, r]) => [id, r.Properties ?? {}]);
}

describe('the configuration set and its event destination', () => {
  it('are the app’s only ones, in the newsletter context’s stack, with the function they feed', () => {
    const sets = resourcesOfType(synth, 'AWS::SES::ConfigurationSet');
    expect(sets.map(([, props, stack]) => [props, stack])).toEqual([[{ Name: CONFIGURATION_SET }, newsletter]]);
    expect(resourcesOfType(synth, 'AWS::SES::ConfigurationSetEventDestination')).toHaveLength(1);
    expect(Stack.of(functionNamed(synth, 'recordSesFeedback').function)).toBe(newsletter);
    // The one function that receives them, a newsletter function.
    expect(entries.filter(([, d]) => d.sesFeedback).map(([name]) => name)).toEqual(['recordSesFeedback']);
    expect(functions.recordSesFeedback.newsletter).toBe(true);
  });

  it('publishes bounces and complaints, nothing else, to the data stack’s feedback topic, by its name', () => {
    const feedback = newsletter.mailFeedback!;
    const [, destination] = inNewsletter('AWS::SES::ConfigurationSetEventDestination')[0]!;
    expect(destination).toEqual({
      ConfigurationSetName: { Ref: logicalId(feedback.configurationSet) },
      EventDestination: {
        Name: 'bounces-and-complaints',
        Enabled: true,
        MatchingEventTypes: ['bounce', 'complaint'],
        SnsDestination: { TopicARN: TOPIC_ARN },
      },
    });
    expect(
      TOPIC_ARN.endsWith(`:${String(resourceOf(synth, synth.data.mailFeedbackTopic!.topic).Properties!.TopicName)}`),
    ).toBe(true);
    // The data stack, where the topic and its policy are, is deployed first.
    expect(synth.backend.dependencies).toContain(synth.data);
  });
});

describe('the feedback topic', () => {
  it('is in the data stack, named for the deployment, encrypted with a rotated, retained key of its own that SES of this account may use', () => {
    const feedback = synth.data.mailFeedbackTopic!;
    const topics = resourcesOfType(synth, 'AWS::SNS::Topic').filter(([, p]) => p.TopicName === TOPIC_NAME);
    expect(topics.map(([, , stack]) => stack)).toEqual([synth.data]);
    const topic = resourceOf(synth, feedback.topic).Properties!;
    expect(topic.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [logicalId(feedback.key), 'Arn'] });
    const key = resourceOf(synth, feedback.key);
    expect(key.DeletionPolicy).toBe('Retain');
    expect(key.Properties!.EnableKeyRotation).toBe(true);
    const statements = (key.Properties!.KeyPolicy as { Statement: Statement[] }).Statement;
    // The account's administration (CDK's default), and SES for this account: nobody else.
    expect(statements).toEqual([
      expect.objectContaining({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } }),
      {
        Sid: 'AllowSesOfThisAccount',
        Effect: 'Allow',
        Principal: { Service: 'ses.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
      },
    ]);
  });

  it('refuses plain HTTP and lets SES publish only for the newsletter’s configuration set of this account', () => {
    const feedback = synth.data.mailFeedbackTopic!;
    const topicId = logicalId(feedback.topic);
    const policies = Object.values(templateOf(synth, synth.data).json.Resources).filter(
      (r) =>
        r.Type === 'AWS::SNS::TopicPolicy' &&
        JSON.stringify(r.Properties?.Topics) === JSON.stringify([{ Ref: topicId }]),
    );
    expect(policies).toHaveLength(1);
    expect((policies[0]!.Properties!.PolicyDocument as { Statement: Statement[] }).Statement).toEqual([
      expect.objectContaining({
        Effect: 'Deny',
        Action: 'sns:Publish',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
      {
        Sid: 'AllowSesOfThisAccountForTheNewsletterConfigurationSet',
        Effect: 'Allow',
        Principal: { Service: 'ses.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: topicId },
        Condition: {
          StringEquals: { 'aws:SourceAccount': ACCOUNT },
          ArnEquals: { 'aws:SourceArn': CONFIGURATION_SET_ARN },
        },
      },
    ]);
  });

  it('delivers to recordSesFeedback, with the newsletter context’s dead-letter queue', () => {
    const fn = functionNamed(synth, 'recordSesFeedback');
    const queue = newsletter.deadLetterQueue!;
    const subscriptions = resourcesOfType(synth, 'AWS::SNS::Subscription').filter(([, p]) => p.Protocol === 'lambda');
    expect(subscriptions.map(([, props, stack]) => [props, stack])).toEqual([
      [
        {
          Protocol: 'lambda',
          Endpoint: { 'Fn::GetAtt': [logicalId(fn.function), 'Arn'] },
          TopicArn: TOPIC_ARN,
          Region: 'eu-west-3',
          RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(queue), 'Arn'] } },
        },
        newsletter,
      ],
    ]);
    // SNS may invoke it from this topic only…
    expect(inNewsletter('AWS::Lambda::Permission').filter(([, p]) => p.Principal === 'sns.amazonaws.com')).toEqual([
      [
        expect.any(String),
        {
          Action: 'lambda:InvokeFunction',
          FunctionName: { 'Fn::GetAtt': [logicalId(fn.function), 'Arn'] },
          Principal: 'sns.amazonaws.com',
          SourceArn: TOPIC_ARN,
        },
      ],
    ]);
    // …and put what it cannot deliver into the queue, from this topic only.
    const [, queuePolicy] = inNewsletter('AWS::SQS::QueuePolicy')[0]!;
    expect((queuePolicy.PolicyDocument as { Statement: Statement[] }).Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: { 'Fn::GetAtt': [logicalId(queue), 'Arn'] },
        Condition: { ArnEquals: { 'aws:SourceArn': TOPIC_ARN } },
      }),
    );
    // SNS invokes Lambda asynchronously: the rules' retries, then the same queue.
    const config = inNewsletter('AWS::Lambda::EventInvokeConfig').find(
      ([, p]) => JSON.stringify(p.FunctionName) === JSON.stringify({ Ref: logicalId(fn.function) }),
    );
    expect(config?.[1]).toMatchObject({
      MaximumRetryAttempts: defaultRetry.functionRetryAttempts,
      MaximumEventAgeInSeconds: defaultRetry.maximumEventAgeSeconds,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(queue), 'Arn'] } } },
    });
  });

  it('is the only path to recordSesFeedback: no route, rule or schedule targets it', () => {
    const arn = JSON.stringify({
      'Fn::GetAtt': [logicalId(functionNamed(synth, 'recordSesFeedback').function), 'Arn'],
    });
    const invokers = inNewsletter('AWS::Lambda::Permission').filter(([, p]) => JSON.stringify(p.FunctionName) === arn);
    expect(invokers.map(([, p]) => p.Principal)).toEqual(['sns.amazonaws.com']);
  });
});

describe('the senders of newsletter mail', () => {
  it('are the newsletter functions that send mail', () => {
    expect(senders).toEqual(
      expect.arrayContaining(['subscribeToNewsletter', 'askNewsletterRenewals', 'sendNewsletterCampaign']),
    );
    for (const name of senders) expect(contextOf(functions[name].entry)).toBe('newsletter');
  });

  it.each(entries)(
    '%s: is told the configuration set if, and only if, it sends newsletter mail',
    (name, definition) => {
      const variables = (
        resourceOf(synth, functionNamed(synth, name).function).Properties!.Environment as {
          Variables: Record<string, unknown>;
        }
      ).Variables;
      if (sendsNewsletterMail(definition)) expect(variables[NEWSLETTER_CONFIGURATION_SET_ENV]).toBe(CONFIGURATION_SET);
      else expect(variables).not.toHaveProperty(NEWSLETTER_CONFIGURATION_SET_ENV);
    },
  );

  it.each(entries)(
    '%s: may send with the configuration set if, and only if, it sends newsletter mail',
    (name, definition) => {
      const statements = statementsOf(name);
      const onSets = statements.filter((s) => resourcesIn(s).some((r) => r.includes(':configuration-set/')));
      if (!sendsNewsletterMail(definition)) {
        expect(onSets).toEqual([]);
        return;
      }
      // The set alone, from MAIL_FROM, besides the identity (SES authorizes a send on both).
      expect(onSets).toEqual([
        {
          Sid: 'SendWithTheNewsletterConfigurationSetOnly',
          Effect: 'Allow',
          Action: ['ses:SendEmail', 'ses:SendRawEmail'],
          Resource: CONFIGURATION_SET_ARN,
          Condition: { StringEquals: { 'ses:FromAddress': synth.config.mailFrom } },
        },
      ]);
      expect(statements).toContainEqual(
        expect.objectContaining({
          Sid: 'SendMailFromThePlatformIdentityOnly',
          Action: ['ses:SendEmail', 'ses:SendRawEmail'],
          Resource: IDENTITY_ARN,
        }),
      );
    },
  );

  it('are the only functions whose role names an SES configuration set, and none is a wildcard', () => {
    const naming = entries
      .filter(([name]) => statementsOf(name).some((s) => resourcesIn(s).some((r) => r.includes(':configuration-set/'))))
      .map(([name]) => name);
    expect(naming.sort()).toEqual([...senders].sort());
    for (const [name] of entries) {
      for (const statement of statementsOf(name)) {
        for (const resource of resourcesIn(statement))
          expect(resource, name).not.toMatch(/configuration-set\/\*|ses:\*/);
      }
    }
  });
});

describe('the local cloud’s IAM', () => {
  const local = localWiring();
  const arns = { region: LOCAL_REGION, account: LOCAL_ACCOUNT };
  const send = (action: 'SendEmail' | 'SendRawEmail', configurationSet?: string) =>
    requestedPermissions(
      {
        service: 'ses',
        method: 'POST',
        path: '/',
        query: new URLSearchParams(),
        body: Buffer.from(
          new URLSearchParams({
            Action: action,
            Source: 'no-reply@monprodubienetre.fr',
            ...(action === 'SendRawEmail' ? { 'RawMessage.Data': 'eA==' } : {}),
            ...(configurationSet ? { ConfigurationSetName: configurationSet } : {}),
          }).toString(),
        ),
      },
      arns,
    );
  const allowed = (name: FunctionName, action: 'SendEmail' | 'SendRawEmail', configurationSet?: string) =>
    send(action, configurationSet).permissions.every((p) => allows(local.functions[name].policy, p));

  it('authorizes a send naming a configuration set on the identity and on the set, as SES does', () => {
    expect(
      send('SendRawEmail', LOCAL_NEWSLETTER_CONFIGURATION_SET).permissions.map((p) => [p.action, p.resource]),
    ).toEqual([
      ['ses:SendRawEmail', 'arn:aws:ses:eu-west-3:000000000000:identity/monprodubienetre.fr'],
      [
        'ses:SendRawEmail',
        `arn:aws:ses:eu-west-3:000000000000:configuration-set/${LOCAL_NEWSLETTER_CONFIGURATION_SET}`,
      ],
    ]);
    expect(send('SendEmail').permissions).toHaveLength(1);
  });

  it.each(entries)(
    '%s: may send with the local set exactly when its deployed role may send with the deployed one',
    (name, definition) => {
      for (const action of ['SendEmail', 'SendRawEmail'] as const) {
        expect(allowed(name, action, LOCAL_NEWSLETTER_CONFIGURATION_SET), `${name} ${action}`).toBe(
          sendsNewsletterMail(definition),
        );
        // Another set is no set of theirs; without a set, as its identity grant says.
        expect(allowed(name, action, 'mpbe-local-other'), `${name} ${action}`).toBe(false);
        expect(allowed(name, action), `${name} ${action}`).toBe(definition.sendsMail === true);
      }
    },
  );
});

describe('a second function receiving SES feedback', () => {
  it('is refused at synthesis: there is one configuration set', () => {
    expect(() =>
      synthesize({
        context: withoutBundling(),
        nag: false,
        sources: {
          functions: {
            ...functions,
            recordSesFeedbackToo: { ...functions.recordSesFeedback, description: 'A second one' },
          } as Record<FunctionName, FunctionDefinition>,
        },
      }),
    ).toThrow(/one function at most receives SES's bounces and complaints/);
  });
});
