/**
 * The synthesized backend template holds what the sources of truth declare: tables, event rules,
 * routes, functions, and the promises of the privacy policy (retention, encryption, EU only).
 */
import { Validations } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, HIPAASecurityChecks, ServerlessChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultRetry, eventPattern, rules } from '#events/rules.ts';
import { type FunctionDefinition, type FunctionName, functions } from '#functions/catalogue.ts';
import { routes } from '#functions/routes.ts';
import { schedules } from '#functions/schedules.ts';
import { PITR_RECOVERY_DAYS } from '#infra/constructs/data.ts';
import { ARCHIVE_RETENTION_DAYS } from '#infra/constructs/events.ts';
import { MANAGED_RULE_GROUPS, RATE_LIMITS } from '#infra/constructs/firewall.ts';
import { EU_REGIONS } from '#infra/region-guard.ts';
import { CONNECTION_LOG_DAYS, TECHNICAL_LOG_DAYS } from '#infra/retention.ts';
import { STACK_TAGS } from '#infra/stacks/backend-stack.ts';
import { roles as ROLES } from '#shared/http/contract.ts';
import { stripeEnvNames } from '#shared/payments-config.ts';
import { retentionCatalogue } from '#shared/retention/catalogue.ts';
import { oneTimeScheduleEnvNames } from '#shared/scheduling/one-time-schedules.ts';
import { type TableName, tables } from '#shared/tables.ts';
import { logicalId, resourcesOfType, type Synthesized, synthesize, validationReport } from './synth.ts';

let synth: Synthesized;

beforeAll(() => {
  synth = synthesize();
  console.info(`backend app constructed, bundled and synthesized in ${Math.round(synth.millis)} ms`);
});

const getAtt = (id: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [id, attribute] });
const tableNames = Object.keys(tables) as TableName[];
const functionEntries = Object.entries(functions) as [FunctionName, FunctionDefinition][];

function fnId(name: FunctionName): string {
  return logicalId(synth.stack, synth.stack.functions.byName[name].function);
}

function policyStatementsOf(
  name: FunctionName,
): { Sid?: string; Action: string | string[]; Resource: unknown; Condition?: unknown }[] {
  const roleId = logicalId(synth.stack, synth.stack.functions.byName[name].role);
  return resourcesOfType(synth, 'AWS::IAM::Policy')
    .filter(([, props]) => JSON.stringify(props.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap(([, props]) => (props.PolicyDocument as { Statement: [] }).Statement);
}

function actionsOf(name: FunctionName): string[] {
  return policyStatementsOf(name).flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
}

describe('data', () => {
  it('has one table per entry of shared/tables.ts', () => {
    synth.template.resourceCountIs('AWS::DynamoDB::Table', tableNames.length);
  });

  it.each(tableNames)('table %s: on demand, TTL on expiresAt, stream, PITR, CMK, its indexes, retained', (name) => {
    const definition = tables[name];
    const id = logicalId(synth.stack, synth.stack.data.tables[name]);
    const keyId = logicalId(synth.stack, synth.stack.data.key);
    const table = synth.resources[id]!;
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: PITR_RECOVERY_DAYS },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: getAtt(keyId) },
      DeletionProtectionEnabled: true,
    });
    expect(definition.ttlAttribute).toBe('expiresAt');
    const indexes = (table.Properties!.GlobalSecondaryIndexes as { IndexName: string }[]).map((index) => index);
    expect(indexes).toEqual(
      definition.indexes.map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
          ...(index.sortKey ? [{ AttributeName: index.sortKey.name, KeyType: 'RANGE' }] : []),
        ],
        Projection: {
          ProjectionType: index.projection,
          ...(index.nonKeyAttributes ? { NonKeyAttributes: [...index.nonKeyAttributes] } : {}),
        },
      })),
    );
  });

  it('keeps backups within the documented window (1 to 35 days, the technical-operation period)', () => {
    expect(PITR_RECOVERY_DAYS).toBeGreaterThanOrEqual(1);
    expect(PITR_RECOVERY_DAYS).toBeLessThanOrEqual(35);
    expect(PITR_RECOVERY_DAYS).toBe(retentionCatalogue['technical-operation'].keep.days);
  });

  it('rotates every customer-managed key and retains it', () => {
    const keys = resourcesOfType(synth, 'AWS::KMS::Key');
    expect(keys.length).toBeGreaterThanOrEqual(2);
    for (const [id, props] of keys) {
      expect(props.EnableKeyRotation).toBe(true);
      expect(synth.resources[id]!.DeletionPolicy).toBe('Retain');
    }
  });
});

describe('events', () => {
  it('has one custom bus and an archive with a finite retention', () => {
    synth.template.resourceCountIs('AWS::Events::EventBus', 1);
    const archives = resourcesOfType(synth, 'AWS::Events::Archive');
    expect(archives).toHaveLength(1);
    const retention = archives[0]![1].RetentionDays;
    expect(retention).toBe(ARCHIVE_RETENTION_DAYS);
    expect(retention).toBeGreaterThan(0);
    expect(retention).toBeLessThanOrEqual(TECHNICAL_LOG_DAYS);
  });

  it('has one rule per entry of events/rules.ts', () => {
    synth.template.resourceCountIs('AWS::Events::Rule', rules.length);
  });

  it.each(rules.map((rule) => [rule.name, rule] as const))(
    'rule %s: its pattern, its function, EventBridge retries and a dead-letter queue',
    (_name, rule) => {
      const routed = synth.stack.events.rules[rule.name]!;
      const props = synth.resources[logicalId(synth.stack, routed.rule)]!.Properties!;
      expect(props.EventBusName).toEqual({ Ref: logicalId(synth.stack, synth.stack.events.bus) });
      expect(props.EventPattern).toEqual(eventPattern(rule));
      expect(props.Targets).toEqual([
        expect.objectContaining({
          Arn: getAtt(fnId(rule.target)),
          RetryPolicy: {
            MaximumRetryAttempts: rule.retry.maximumRetryAttempts,
            MaximumEventAgeInSeconds: rule.retry.maximumEventAgeSeconds,
          },
          DeadLetterConfig: { Arn: getAtt(logicalId(synth.stack, routed.deliveryDeadLetterQueue)) },
        }),
      ]);
    },
  );

  it.each(rules.map((rule) => [rule.name, rule] as const))(
    'rule %s: its function retries a failing handler, then sends the event to a dead-letter queue',
    (_name, rule) => {
      const routed = synth.stack.events.rules[rule.name]!;
      synth.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: fnId(rule.target) },
        Qualifier: '$LATEST',
        MaximumRetryAttempts: rule.retry.functionRetryAttempts,
        MaximumEventAgeInSeconds: rule.retry.maximumEventAgeSeconds,
        DestinationConfig: {
          OnFailure: { Destination: getAtt(logicalId(synth.stack, routed.handlerDeadLetterQueue)) },
        },
      });
    },
  );

  it('encrypts every dead-letter queue and refuses plain-HTTP access to it', () => {
    const queues = resourcesOfType(synth, 'AWS::SQS::Queue');
    expect(queues.length).toBeGreaterThanOrEqual(rules.length * 2);
    for (const [id, props] of queues) {
      expect(props.SqsManagedSseEnabled ?? props.KmsMasterKeyId).toBeTruthy();
      synth.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });

  it('has one schedule per entry of the schedule table', () => {
    synth.template.resourceCountIs('AWS::Scheduler::Schedule', schedules.length);
  });
});

describe('one-time schedules (reminders)', () => {
  const creators = functionEntries.filter(([, definition]) => definition.oneTimeSchedules);

  it('has one schedule group, a role Scheduler assumes for that group in this account only, and a dead-letter queue', () => {
    expect(creators.length).toBeGreaterThan(0);
    const one = synth.stack.oneTimeSchedules;
    synth.template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
    const role = synth.resources[logicalId(synth.stack, one.role!)]!.Properties!;
    expect(role.AssumeRolePolicyDocument).toMatchObject({
      Statement: [
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': '123456789012' },
            ArnEquals: { 'aws:SourceArn': getAtt(logicalId(synth.stack, one.group!)) },
          },
        },
      ],
    });
  });

  it.each(creators)(
    '%s: creates and deletes schedules of its group only, passes the role to Scheduler only',
    (name, definition) => {
      const one = synth.stack.oneTimeSchedules;
      const statements = policyStatementsOf(name);
      const manage = statements.find((s) => JSON.stringify(s.Action).includes('scheduler:'))!;
      expect(manage.Action).toEqual(['scheduler:CreateSchedule', 'scheduler:DeleteSchedule']);
      expect(JSON.stringify(manage.Resource)).toContain(`:schedule/${one.group!.scheduleGroupName}/*`);
      expect(statements).toContainEqual(
        expect.objectContaining({
          Action: 'iam:PassRole',
          Resource: getAtt(logicalId(synth.stack, one.role!)),
          Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
        }),
      );
      const variables = (synth.resources[fnId(name)]!.Properties!.Environment as { Variables: Record<string, unknown> })
        .Variables;
      const target = definition.oneTimeSchedules!.target as FunctionName;
      expect(variables).toMatchObject({
        SCHEDULE_GROUP_NAME: one.group!.scheduleGroupName,
        SCHEDULE_TARGET_ARN: getAtt(fnId(target)),
        SCHEDULE_ROLE_ARN: getAtt(logicalId(synth.stack, one.role!)),
        SCHEDULE_DEAD_LETTER_ARN: getAtt(logicalId(synth.stack, one.deadLetterQueue!)),
        SCHEDULE_MAX_RETRY_ATTEMPTS: String(defaultRetry.maximumRetryAttempts),
        SCHEDULE_MAX_EVENT_AGE_SECONDS: String(defaultRetry.maximumEventAgeSeconds),
      });
      // Scheduler may invoke the target (and nothing else), which retries a failing handler into its own DLQ.
      const roleId = logicalId(synth.stack, one.role!);
      const invoke = resourcesOfType(synth, 'AWS::IAM::Policy')
        .filter(([, props]) => JSON.stringify(props.Roles) === JSON.stringify([{ Ref: roleId }]))
        .flatMap(
          ([, props]) => (props.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] }).Statement,
        )
        .filter((s) => s.Action === 'lambda:InvokeFunction');
      expect(JSON.stringify(invoke)).toContain(fnId(target));
      synth.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: fnId(target) },
        MaximumRetryAttempts: defaultRetry.functionRetryAttempts,
      });
    },
  );
});

describe('functions', () => {
  it('has one function per entry of functions/catalogue.ts', () => {
    synth.template.resourceCountIs('AWS::Lambda::Function', functionEntries.length);
  });

  it.each(functionEntries.map(([name]) => name))(
    '%s: nodejs24.x on arm64, traced, logging into an encrypted log group that expires',
    (name) => {
      const props = synth.resources[fnId(name)]!.Properties!;
      expect(props).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON' },
      });
      const logGroupId = (props.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      const logGroup = synth.resources[logGroupId]!;
      expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
      expect(logGroup.Properties!.RetentionInDays).toBe(TECHNICAL_LOG_DAYS);
      expect(logGroup.Properties!.KmsKeyId).toBeDefined();
    },
  );

  it.each(functionEntries)('%s: its environment holds exactly what its catalogue entry needs', (name, definition) => {
    const variables = (synth.resources[fnId(name)]!.Properties!.Environment as { Variables: Record<string, unknown> })
      .Variables;
    const expected = [
      'POWERTOOLS_SERVICE_NAME',
      'NODE_OPTIONS',
      ...Object.keys(definition.tables ?? {}).map((table) => tables[table as TableName].envVar),
      ...(definition.publishesEvents ? ['EVENT_BUS_NAME'] : []),
      ...(definition.sendsMail ? ['MAIL_FROM', 'PLATFORM_INBOX'] : []),
      // A pool trigger reads the pool from its event (naming it would be a dependency cycle).
      ...(definition.identity ? ['CGU_VERSION', ...(definition.identity.trigger ? [] : ['COGNITO_USER_POOL_ID'])] : []),
      ...(definition.oneTimeSchedules ? oneTimeScheduleEnvNames : []),
      // The names of the Stripe key parameters and the fee, never the keys; no API base in AWS.
      ...(definition.stripe
        ? [stripeEnvNames.secretKeyParameter, stripeEnvNames.webhookSecretParameter, stripeEnvNames.feeBasisPoints]
        : []),
    ];
    expect(Object.keys(variables).sort()).toEqual(expected.sort());
    expect(variables.NODE_OPTIONS).toBe('--enable-source-maps');
    for (const table of Object.keys(definition.tables ?? {}) as TableName[]) {
      expect(variables[tables[table].envVar]).toEqual({ Ref: logicalId(synth.stack, synth.stack.data.tables[table]) });
    }
  });

  it.each(functionEntries)('%s: least privilege from its catalogue entry', (name, definition) => {
    const actions = actionsOf(name);
    const access = Object.values(definition.tables ?? {});
    expect(actions.some((a) => a === 'dynamodb:PutItem')).toBe(access.some((a) => a !== 'read'));
    expect(actions.some((a) => a === 'dynamodb:GetItem')).toBe(access.some((a) => a !== 'write'));
    expect(actions.includes('events:PutEvents')).toBe(definition.publishesEvents === true);
    expect(actions.includes('ses:SendEmail')).toBe(definition.sendsMail === true);
    expect(actions.includes('ssm:GetParameters')).toBe(definition.stripe === true);
    expect(actions.filter((a) => a === '*' || a.endsWith(':*'))).toEqual([]);
    for (const statement of policyStatementsOf(name)) {
      const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
      expect(resources).not.toContain('*');
    }
    if (definition.sendsMail) {
      expect(policyStatementsOf(name)).toContainEqual(
        expect.objectContaining({
          Action: ['ses:SendEmail', 'ses:SendRawEmail'],
          Condition: { StringEquals: { 'ses:FromAddress': synth.config.mailFrom } },
        }),
      );
    }
    if (definition.publishesEvents) {
      expect(policyStatementsOf(name)).toContainEqual(
        expect.objectContaining({
          Action: 'events:PutEvents',
          Resource: getAtt(logicalId(synth.stack, synth.stack.events.bus)),
        }),
      );
    }
  });

  it('uses no AWS managed policy for functions (X-Ray goes through one shared customer policy)', () => {
    for (const [name] of functionEntries) {
      const role = synth.resources[logicalId(synth.stack, synth.stack.functions.byName[name].role)]!.Properties!;
      expect(JSON.stringify(role.ManagedPolicyArns ?? [])).not.toContain(':aws:policy/');
    }
  });

  it('expires every log group of the stack within the technical-operation period, encrypted', () => {
    for (const [, props] of resourcesOfType(synth, 'AWS::Logs::LogGroup')) {
      expect(props.RetentionInDays).toBeGreaterThan(0);
      expect(props.RetentionInDays).toBeLessThanOrEqual(Math.min(TECHNICAL_LOG_DAYS, CONNECTION_LOG_DAYS));
      expect(props.KmsKeyId).toBeDefined();
    }
  });
});

describe('api', () => {
  it('has one method per route of functions/routes.ts', () => {
    synth.template.resourceCountIs('AWS::ApiGateway::Method', routes.length);
  });

  it.each(routes.map((route) => [`${route.method} ${route.path}`, route] as const))(
    '%s: a Lambda proxy integration of its function, authorized by its access',
    (key, route) => {
      const method = synth.stack.api.methods[key]!;
      expect(method.resource.path).toBe(route.path);
      const props = synth.resources[logicalId(synth.stack, method)]!.Properties!;
      expect(props.HttpMethod).toBe(route.method);
      expect(props.AuthorizationType).toBe(route.operation.access.kind === 'public' ? 'NONE' : 'COGNITO_USER_POOLS');
      expect(props.Integration).toMatchObject({ Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' });
      expect(JSON.stringify(props.Integration)).toContain(fnId(route.function));
      if (route.operation.access.kind !== 'public') {
        expect(props.AuthorizerId).toEqual({ Ref: logicalId(synth.stack, synth.stack.api.authorizer!) });
      }
    },
  );

  it('is regional, TLS 1.2+ only, and its stage is traced, throttled and logged without bodies', () => {
    synth.template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: ['REGIONAL'] },
      SecurityPolicy: Match.stringLikeRegexp('^SecurityPolicy_TLS13'),
      EndpointAccessMode: 'STRICT',
    });
    synth.template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: synth.config.apiStageName,
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
      MethodSettings: [
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          DataTraceEnabled: false,
          LoggingLevel: 'ERROR',
          ThrottlingRateLimit: Match.anyValue(),
          ThrottlingBurstLimit: Match.anyValue(),
        }),
      ],
    });
    const format = JSON.parse(
      (resourcesOfType(synth, 'AWS::ApiGateway::Stage')[0]![1].AccessLogSetting as { Format: string }).Format,
    ) as Record<string, string>;
    expect(Object.values(format).join(' ')).not.toMatch(/body|requestOverride|header/i);
  });

  it('validates requests', () => {
    synth.template.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
  });

  it('answers its own errors as problem+json', () => {
    synth.template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'BAD_REQUEST_BODY',
      StatusCode: '400',
      ResponseParameters: { 'gatewayresponse.header.Content-Type': "'application/problem+json'" },
    });
  });

  it('is protected by a regional WAF with rate limits and the AWS managed rule groups', () => {
    const [[aclId, acl]] = resourcesOfType(synth, 'AWS::WAFv2::WebACL') as [[string, Record<string, unknown>]];
    expect(acl.Scope).toBe('REGIONAL');
    const aclRules = acl.Rules as { Statement: Record<string, { Name?: string; Limit?: number }> }[];
    const managed = aclRules.flatMap((r) => r.Statement.ManagedRuleGroupStatement?.Name ?? []);
    expect(managed).toEqual([...MANAGED_RULE_GROUPS]);
    expect(managed).toEqual(
      expect.arrayContaining([
        'AWSManagedRulesCommonRuleSet',
        'AWSManagedRulesKnownBadInputsRuleSet',
        'AWSManagedRulesAmazonIpReputationList',
      ]),
    );
    const limits = aclRules.flatMap((r) => r.Statement.RateBasedStatement?.Limit ?? []);
    expect(limits).toEqual([RATE_LIMITS.allRequestsPerIp, RATE_LIMITS.writesPerIp]);
    const stageId = logicalId(synth.stack, synth.stack.api.restApi.deploymentStage);
    const poolId = logicalId(synth.stack, synth.stack.identity.userPool);
    const associations = resourcesOfType(synth, 'AWS::WAFv2::WebACLAssociation').map(([, props]) => props);
    expect(associations).toHaveLength(2);
    for (const association of associations) expect(association.WebACLArn).toEqual(getAtt(aclId));
    expect(associations.map((a) => JSON.stringify(a.ResourceArn))).toEqual(
      expect.arrayContaining([expect.stringContaining(stageId), JSON.stringify(getAtt(poolId))]),
    );
    synth.template.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      ResourceArn: getAtt(aclId),
      RedactedFields: Match.arrayWith([{ SingleHeader: { Name: 'authorization' } }]),
    });
  });
});

describe('identity', () => {
  it('has a user pool with email sign-in, a strong password policy, optional TOTP and threat protection', () => {
    const [[id, pool]] = resourcesOfType(synth, 'AWS::Cognito::UserPool') as [[string, Record<string, unknown>]];
    expect(synth.resources[id]!.DeletionPolicy).toBe('Retain');
    expect(pool).toMatchObject({
      UsernameAttributes: ['email'],
      AutoVerifiedAttributes: ['email'],
      Policies: {
        PasswordPolicy: {
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        },
      },
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      DeletionProtection: 'ACTIVE',
    });
  });

  it('blocks compromised credentials and risky sign-ins', () => {
    synth.template.hasResourceProperties('AWS::Cognito::UserPoolRiskConfigurationAttachment', {
      ClientId: 'ALL',
      CompromisedCredentialsRiskConfiguration: { Actions: { EventAction: 'BLOCK' } },
      AccountTakeoverRiskConfiguration: { Actions: { HighAction: { EventAction: 'BLOCK' } } },
    });
  });

  it('keeps the accepted CGU version and the account type in immutable custom attributes, requires the names', () => {
    const [[, pool]] = resourcesOfType(synth, 'AWS::Cognito::UserPool') as [[string, Record<string, unknown>]];
    expect(pool.Schema).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Name: 'cgu_version', AttributeDataType: 'String', Mutable: false }),
        expect.objectContaining({ Name: 'account_type', AttributeDataType: 'String', Mutable: false }),
        expect.objectContaining({ Name: 'given_name', Required: true, Mutable: true }),
        expect.objectContaining({ Name: 'family_name', Required: true, Mutable: true }),
      ]),
    );
    const [[, client]] = resourcesOfType(synth, 'AWS::Cognito::UserPoolClient') as [[string, Record<string, unknown>]];
    expect((client.WriteAttributes as string[]).sort()).toEqual(
      ['custom:account_type', 'custom:cgu_version', 'email', 'family_name', 'given_name', 'phone_number'].sort(),
    );
  });

  it('runs the catalogue triggers on sign-up and confirmation, invokable by Cognito for this pool only', () => {
    const poolId = logicalId(synth.stack, synth.stack.identity.userPool);
    const [[, pool]] = resourcesOfType(synth, 'AWS::Cognito::UserPool') as [[string, Record<string, unknown>]];
    const triggers = functionEntries.filter(([, d]) => d.identity?.trigger);
    expect(triggers.map(([name]) => name).sort()).toEqual(['postConfirmation', 'preSignUp']);
    for (const [name, definition] of triggers) {
      const key = definition.identity?.trigger === 'PreSignUp' ? 'PreSignUp' : 'PostConfirmation';
      expect((pool.LambdaConfig as Record<string, unknown>)[key]).toEqual(getAtt(fnId(name)));
      synth.template.hasResourceProperties('AWS::Lambda::Permission', {
        FunctionName: getAtt(fnId(name)),
        Principal: 'cognito-idp.amazonaws.com',
        SourceArn: getAtt(poolId),
      });
    }
  });

  it.each(functionEntries)(
    '%s: Cognito admin actions from its catalogue entry, on the pool only',
    (name, definition) => {
      const poolId = logicalId(synth.stack, synth.stack.identity.userPool);
      const statements = policyStatementsOf(name).filter((s) => JSON.stringify(s.Action).includes('cognito-idp:'));
      const actions = statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
      expect(actions.sort()).toEqual((definition.identity?.actions ?? []).map((a) => `cognito-idp:${a}`).sort());
      for (const statement of statements) expect(statement.Resource).toEqual(getAtt(poolId));
    },
  );

  it('has one group per role', () => {
    const groups = resourcesOfType(synth, 'AWS::Cognito::UserPoolGroup').map(([, props]) => props.GroupName);
    expect(groups.sort()).toEqual([...ROLES].sort());
    expect(ROLES).toEqual(['client', 'practitioner', 'moderator', 'support', 'dpo']);
  });
});

describe('stack', () => {
  it('lives in eu-west-3 by default, and names no region outside the EU', () => {
    expect(synth.stack.region).toBe('eu-west-3');
    const regions = new Set(
      [...JSON.stringify(synth.template.toJSON()).matchAll(/\b([a-z]{2}(?:-[a-z]+)+-\d)\b/g)].map((m) => m[1]),
    );
    for (const region of regions) expect(EU_REGIONS as readonly string[]).toContain(region);
  });

  it('is tagged with the project and the data classification', () => {
    expect(synth.stack.tags.tagValues()).toMatchObject(STACK_TAGS);
  });

  it('outputs the API URL, the user pool and client ids and the bus name', () => {
    const outputs = synth.template.toJSON().Outputs as Record<string, unknown>;
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining(['ApiUrl', 'UserPoolId', 'UserPoolClientId', 'EventBusName']),
    );
  });
});

describe('cdk-nag (AwsSolutions, HIPAA Security, Serverless)', () => {
  it('synthesizes with no unacknowledged finding in the validation report', () => {
    // An error finding makes synth() throw (beforeAll would fail); warnings only reach the report.
    const report = validationReport(synth);
    const findings = report.pluginReports.flatMap((plugin) =>
      plugin.violations.map((violation) => `${plugin.pluginName} ${violation.severity} ${violation.ruleName}`),
    );
    expect(findings).toEqual([]);
  });

  it.each([
    ['AwsSolutions', () => new AwsSolutionsChecks()],
    ['HIPAA.Security', () => new HIPAASecurityChecks()],
    ['Serverless', () => new ServerlessChecks()],
  ] as const)('%s finds nothing left, errors and warnings alike', (_pack, make) => {
    const result = make().validateScope(synth.app);
    expect(
      result.violations.map((v) => `${v.severity} ${v.ruleName} ${v.violatingResources[0]?.constructPath}`),
    ).toEqual([]);
    expect(result.success).toBe(true);
  });

  it('gives every acknowledgement a concrete reason', () => {
    const acknowledgements = acknowledgementsOf(synth);
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const { path, id, reason } of acknowledgements) {
      expect(reason.length, `${path} ${id}`).toBeGreaterThanOrEqual(80);
    }
  });

  it('acknowledges only the reviewed rules (a new one needs a reason in docs/adr/0002-cdk-app.md)', () => {
    const rulesAcknowledged = new Set(acknowledgementsOf(synth).map(({ id }) => id.replace(/\[.*$/, '')));
    expect([...rulesAcknowledged].sort()).toEqual(
      [
        'AwsSolutions-APIG4',
        'AwsSolutions-COG2',
        'AwsSolutions-COG4',
        'AwsSolutions-IAM4',
        'AwsSolutions-IAM5',
        'AwsSolutions-SQS3',
        'HIPAA.Security-APIGWCacheEnabledAndEncrypted',
        'HIPAA.Security-APIGWSSLEnabled',
        'HIPAA.Security-DynamoDBInBackupPlan',
        'HIPAA.Security-IAMNoInlinePolicy',
        'HIPAA.Security-LambdaConcurrency',
        'HIPAA.Security-LambdaDLQ',
        'HIPAA.Security-LambdaInsideVPC',
        'Serverless-LambdaDLQ',
        'Serverless-SQSRedrivePolicy',
      ].sort(),
    );
  });

  it('lets the Stripe-calling functions read the two Stripe parameters only, and decrypt only through SSM', () => {
    const stripeFunctions = functionEntries.filter(([, d]) => d.stripe).map(([name]) => name);
    expect(stripeFunctions.length).toBeGreaterThan(0);
    for (const name of stripeFunctions) {
      const statements = policyStatementsOf(name);
      const read = statements.find((st) => st.Sid === 'ReadTheStripeParametersOnly')!;
      expect(JSON.stringify(read.Resource)).toContain('parameter/mpbe/stripe/secret-key');
      expect(JSON.stringify(read.Resource)).toContain('parameter/mpbe/stripe/webhook-secret');
      expect((read.Resource as unknown[]).length).toBe(2);
      const decrypt = statements.find((st) => st.Sid === 'DecryptTheStripeParametersThroughSsm')!;
      expect(decrypt.Action).toBe('kms:Decrypt');
      expect(JSON.stringify(decrypt.Condition)).toContain('kms:ViaService');
    }
  });

  it('acknowledges wildcard resources only for X-Ray, table indexes, scheduled function versions, the one-time schedules of their group and SSM-held keys', () => {
    const wildcards = acknowledgementsOf(synth)
      .map(({ id }) => id)
      .filter((id) => id.includes('IAM5[Resource::'));
    for (const id of wildcards) {
      expect(id).toMatch(
        /IAM5\[Resource::(\*|<Data\w+Table\w+\.Arn>\/index\/\*|<Functions\w+\.Arn>:\*|arn:<AWS::Partition>:scheduler:[\w-]+:\d+:schedule\/[\w-]+\/\*|arn:<AWS::Partition>:kms:[\w-]+:\d+:key\/\*)\]$/,
      );
    }
  });
});

function acknowledgementsOf(synthesized: Synthesized): { path: string; id: string; reason: string }[] {
  return synthesized.app.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}
