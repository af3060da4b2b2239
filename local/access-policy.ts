/**
 * The local stand-in for IAM: the policy each function's role holds in AWS, derived from its
 * catalogue entry as infra/constructs/*.ts grants it (CDK table grants, PutEvents on the bus, SES
 * from MAIL_FROM, with the newsletter's configuration set for its senders, SSM GetParameters on the
 * two Stripe parameters, the Cognito admin actions of
 * `identity.actions`, CreateSchedule/DeleteSchedule in the one-time group with PassRole on its
 * role), and the AWS actions and resources a request asks for, read from the request as AWS's
 * authorization reads them (every table of a batch or transaction, each PutEvents entry's bus…).
 * Pure code: the proxy in ./iam-proxy.ts applies it to live requests.
 */
import type { FunctionDefinition, TableAccess } from '#functions/catalogue.ts';
import type { FunctionResources } from '#functions/environment.ts';
import { type TableName, tables } from '#shared/tables.ts';

/**
 * The action sets of CDK's DynamoDB table grants, copied from aws-cdk-lib 2.276.0
 * (aws-dynamodb/lib/perms.js, used by lib/table-grants.js readData / writeData / readWriteData):
 * the package's exports do not expose that module, and loading aws-cdk-lib would cost the local
 * cloud seconds. test/local/iam-proxy.test.ts reads perms.js and fails if they drift.
 */
export const CDK_DYNAMODB_ACTIONS = {
  RESOURCE_READ_DATA_ACTIONS: [
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:GetItem',
    'dynamodb:Scan',
    'dynamodb:ConditionCheckItem',
  ],
  PRINCIPAL_ONLY_READ_DATA_ACTIONS: ['dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
  WRITE_DATA_ACTIONS: ['dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
  DESCRIBE_TABLE: 'dynamodb:DescribeTable',
} as const;

const A = CDK_DYNAMODB_ACTIONS;
/** grantReadData, grantWriteData, grantReadWriteData (the KMS key grants have no local counterpart). */
export const tableGrantActions: Record<TableAccess, readonly string[]> = {
  read: [...A.RESOURCE_READ_DATA_ACTIONS, A.DESCRIBE_TABLE, ...A.PRINCIPAL_ONLY_READ_DATA_ACTIONS],
  write: [...A.WRITE_DATA_ACTIONS, A.DESCRIBE_TABLE],
  'read-write': [
    ...A.RESOURCE_READ_DATA_ACTIONS,
    ...A.WRITE_DATA_ACTIONS,
    A.DESCRIBE_TABLE,
    ...A.PRINCIPAL_ONLY_READ_DATA_ACTIONS,
  ],
};

/** One statement of a role's policy: resources are exact ARNs, or prefixes ending in `*`. */
export interface PolicyStatement {
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  /** `ses:FromAddress` StringEquals, as the SES grant's condition. */
  readonly fromAddress?: string;
}

/** One authorization AWS makes for a request: an action on a resource. */
export interface RequiredPermission {
  readonly action: string;
  readonly resource: string;
  /** What the local cloud's log says of the resource: `table mpbe-local-x`, `bus …` (never item contents). */
  readonly label: string;
  /** The `ses:FromAddress` of a send (compared, never logged). */
  readonly fromAddress?: string;
}

export interface Arns {
  readonly region: string;
  readonly account: string;
}

export const tableArn = (arns: Arns, name: string) => `arn:aws:dynamodb:${arns.region}:${arns.account}:table/${name}`;
export const busArn = (arns: Arns, name: string) => `arn:aws:events:${arns.region}:${arns.account}:event-bus/${name}`;
export const parameterArn = (arns: Arns, name: string) =>
  `arn:aws:ssm:${arns.region}:${arns.account}:parameter/${name.replace(/^\//, '')}`;
export const userPoolArn = (arns: Arns, id: string) =>
  `arn:aws:cognito-idp:${arns.region}:${arns.account}:userpool/${id}`;
export const scheduleArn = (arns: Arns, group: string, name: string) =>
  `arn:aws:scheduler:${arns.region}:${arns.account}:schedule/${group}/${name}`;
export const sesIdentityArn = (arns: Arns, identity: string) =>
  `arn:aws:ses:${arns.region}:${arns.account}:identity/${identity}`;
export const sesConfigurationSetArn = (arns: Arns, name: string) =>
  `arn:aws:ses:${arns.region}:${arns.account}:configuration-set/${name}`;

/** The address of `Name <addr>` or `addr`, lower-cased as SES compares it. */
export function emailAddress(source: string): string {
  return (/<([^>]+)>\s*$/.exec(source)?.[1] ?? source).trim().toLowerCase();
}
const domainOf = (address: string) => emailAddress(address).split('@')[1] ?? '';

/** The policy of a function's role, from its catalogue entry and the resources it is given. */
export function functionPolicy(
  definition: FunctionDefinition,
  resources: FunctionResources,
  arns: Arns,
): PolicyStatement[] {
  const statements: PolicyStatement[] = [];
  for (const [table, access] of Object.entries(definition.tables ?? {}) as [TableName, TableAccess][]) {
    const arn = tableArn(arns, resources.tableName(table));
    // CDK adds `<table>/index/*` when the table has indexes (TableGrants hasIndex).
    const indexes = tables[table].indexes.length > 0 ? [`${arn}/index/*`] : [];
    statements.push({ actions: tableGrantActions[access], resources: [arn, ...indexes] });
  }
  if (definition.publishesEvents)
    statements.push({ actions: ['events:PutEvents'], resources: [busArn(arns, resources.eventBusName)] });
  if (definition.sendsMail) {
    // The identity is the sender's domain here (infra's MailSettings.sesIdentity in AWS).
    statements.push({
      actions: ['ses:SendEmail', 'ses:SendRawEmail'],
      resources: [sesIdentityArn(arns, domainOf(resources.mail.from))],
      fromAddress: emailAddress(resources.mail.from),
    });
    // A newsletter mail names the newsletter's configuration set: the set is authorized too.
    if (definition.newsletter) {
      statements.push({
        actions: ['ses:SendEmail', 'ses:SendRawEmail'],
        resources: [sesConfigurationSetArn(arns, resources.newsletter().configurationSet)],
        fromAddress: emailAddress(resources.mail.from),
      });
    }
  }
  if (definition.stripe) {
    statements.push({
      actions: ['ssm:GetParameters'],
      resources: [
        parameterArn(arns, resources.stripe.secretKeyParameter),
        parameterArn(arns, resources.stripe.webhookSecretParameter),
      ],
    });
  }
  if (definition.newsletter) {
    statements.push({
      actions: ['ssm:GetParameters'],
      resources: [parameterArn(arns, resources.newsletter().pepperParameter)],
    });
  }
  if (definition.identity && definition.identity.actions.length > 0) {
    statements.push({
      actions: definition.identity.actions.map((action) => `cognito-idp:${action}`),
      resources: [userPoolArn(arns, resources.identity.userPoolId)],
    });
  }
  if (definition.oneTimeSchedules) {
    const settings = resources.oneTimeSchedules(definition.oneTimeSchedules.target);
    statements.push({
      actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'],
      resources: [scheduleArn(arns, settings.groupName, '*')],
    });
    statements.push({ actions: ['iam:PassRole'], resources: [settings.roleArn] });
  }
  if (definition.managesConnections) {
    statements.push({ actions: ['execute-api:ManageConnections'], resources: [resources.webSocket().connectionsArn] });
  }
  return statements;
}

/** IAM's ARN matching: `*` stands for any run of characters, anywhere in the pattern. */
const resourceMatches = (pattern: string, resource: string) =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  ).test(resource);

/** IAM's answer for one permission: allowed when some statement names the action and the resource (and its condition holds). */
export function allows(policy: readonly PolicyStatement[], permission: RequiredPermission): boolean {
  return policy.some(
    (s) =>
      s.actions.includes(permission.action) &&
      s.resources.some((r) => resourceMatches(r, permission.resource)) &&
      (s.fromAddress === undefined || s.fromAddress === permission.fromAddress),
  );
}

// ---------------------------------------------------------------------------------------------
// What a request asks for.

/** A request as the proxy read it. */
export interface AwsRequest {
  /** The signing name of the credential scope: dynamodb, events, scheduler, ses, ssm, cognito-idp. */
  readonly service: string;
  readonly method: string;
  /** The path without the query. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly target?: string;
  readonly body: Buffer;
}

/** The operation (for messages) and every authorization AWS makes for it. */
export interface Requested {
  readonly operation: string;
  readonly permissions: readonly RequiredPermission[];
}

type Json = Record<string, unknown>;

function jsonBody(body: Buffer): Json {
  if (body.length === 0) return {};
  try {
    const parsed = JSON.parse(body.toString('utf8')) as unknown;
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Json) : {};
  } catch {
    return {};
  }
}

const str = (value: unknown) => (typeof value === 'string' ? value : undefined);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const record = (value: unknown): Json => (value !== null && typeof value === 'object' ? (value as Json) : {});

/** A TableName may be the table's ARN; the grant is on the table either way. */
function tableOf(value: unknown): string {
  const name = str(value) ?? '';
  return /:table\/([^/]+)/.exec(name)?.[1] ?? name;
}

function dynamodb(request: AwsRequest, arns: Arns): Requested {
  const operation = request.target?.split('.')[1] ?? 'Unknown';
  const body = jsonBody(request.body);
  const on = (action: string, table: string, index?: string): RequiredPermission => ({
    action: `dynamodb:${action}`,
    resource: index ? `${tableArn(arns, table)}/index/${index}` : tableArn(arns, table),
    label: index ? `index ${table}/${index}` : `table ${table}`,
  });
  switch (operation) {
    case 'GetItem':
    case 'PutItem':
    case 'UpdateItem':
    case 'DeleteItem':
    case 'DescribeTable':
      return { operation, permissions: [on(operation, tableOf(body.TableName))] };
    case 'Query':
    case 'Scan':
      return { operation, permissions: [on(operation, tableOf(body.TableName), str(body.IndexName))] };
    case 'BatchGetItem':
    case 'BatchWriteItem':
      return { operation, permissions: Object.keys(record(body.RequestItems)).map((t) => on(operation, tableOf(t))) };
    case 'TransactGetItems':
      // IAM authorizes each item of a transaction as its own action (there is no Transact* action).
      return {
        operation,
        permissions: list(body.TransactItems).map((item) => on('GetItem', tableOf(record(record(item).Get).TableName))),
      };
    case 'TransactWriteItems': {
      const actions = {
        ConditionCheck: 'ConditionCheckItem',
        Put: 'PutItem',
        Update: 'UpdateItem',
        Delete: 'DeleteItem',
      };
      return {
        operation,
        permissions: list(body.TransactItems).flatMap((item) =>
          Object.entries(actions).flatMap(([key, action]) =>
            record(item)[key] ? [on(action, tableOf(record(record(item)[key]).TableName))] : [],
          ),
        ),
      };
    }
    default:
      // Anything else (ListTables, PartiQL, CreateTable…) is granted to no function.
      return { operation, permissions: [on(operation, tableOf(body.TableName) || '*')] };
  }
}

function events(request: AwsRequest, arns: Arns): Requested {
  const operation = request.target?.split('.')[1] ?? 'Unknown';
  const body = jsonBody(request.body);
  if (operation !== 'PutEvents')
    return { operation, permissions: [{ action: `events:${operation}`, resource: '*', label: 'events' }] };
  // An entry without EventBusName goes to the account's default bus, which needs its own grant.
  const buses = new Set(
    list(body.Entries).map((entry) => {
      const name = str(record(entry).EventBusName) || 'default';
      return /:event-bus\/(.+)$/.exec(name)?.[1] ?? name;
    }),
  );
  return {
    operation,
    permissions: [...buses].map((bus) => ({
      action: 'events:PutEvents',
      resource: busArn(arns, bus),
      label: `bus ${bus}`,
    })),
  };
}

function scheduler(request: AwsRequest, arns: Arns): Requested {
  const match = /^\/schedules\/([^/]+)$/.exec(request.path);
  if (!match) {
    return {
      operation: `${request.method} ${request.path}`,
      permissions: [{ action: 'scheduler:Unknown', resource: '*', label: 'scheduler' }],
    };
  }
  const name = decodeURIComponent(match[1] as string);
  const body = jsonBody(request.body);
  const group = (request.method === 'POST' ? str(body.GroupName) : request.query.get('groupName')) || 'default';
  const operation =
    { POST: 'CreateSchedule', GET: 'GetSchedule', DELETE: 'DeleteSchedule', PUT: 'UpdateSchedule' }[request.method] ??
    'Unknown';
  const permissions: RequiredPermission[] = [
    { action: `scheduler:${operation}`, resource: scheduleArn(arns, group, name), label: `schedule group ${group}` },
  ];
  // Scheduler checks that the caller may pass the role it names for the target.
  const role = str(record(body.Target).RoleArn);
  if (role && (operation === 'CreateSchedule' || operation === 'UpdateSchedule'))
    permissions.push({ action: 'iam:PassRole', resource: role, label: `role ${role.split('/').at(-1)}` });
  return { operation, permissions };
}

function ssm(request: AwsRequest, arns: Arns): Requested {
  const operation = request.target?.split('.')[1] ?? 'Unknown';
  const body = jsonBody(request.body);
  const names =
    operation === 'GetParameters' ? list(body.Names).map(String) : str(body.Name) ? [str(body.Name) as string] : ['*'];
  return {
    operation,
    permissions: names.map((name) => ({
      action: `ssm:${operation}`,
      resource: parameterArn(arns, name),
      label: `parameter ${name}`,
    })),
  };
}

function cognito(request: AwsRequest, arns: Arns): Requested {
  const operation = request.target?.split('.')[1] ?? 'Unknown';
  const pool = str(jsonBody(request.body).UserPoolId) ?? '*';
  return {
    operation,
    permissions: [
      { action: `cognito-idp:${operation}`, resource: userPoolArn(arns, pool), label: `user pool ${pool}` },
    ],
  };
}

/**
 * SES v1 (query protocol: `Action=` in a form body) and v2 (REST: /v2/email/outbound-emails). A
 * send naming a configuration set (`ConfigurationSetName`) is authorized on the identity and on
 * the set, as SES does.
 */
function ses(request: AwsRequest, arns: Arns): Requested {
  let operation: string;
  let source: string;
  let configurationSet: string | undefined;
  if (request.path.startsWith('/v2/')) {
    const body = jsonBody(request.body);
    operation = request.path === '/v2/email/outbound-emails' ? 'SendEmail' : 'Unknown';
    source = str(body.FromEmailAddress) ?? '';
    configurationSet = str(body.ConfigurationSetName);
  } else {
    const form = new URLSearchParams(request.body.toString('utf8'));
    operation = form.get('Action') ?? 'Unknown';
    source = form.get('Source') ?? (operation === 'SendRawEmail' ? rawFrom(form.get('RawMessage.Data')) : '');
    configurationSet = form.get('ConfigurationSetName') ?? undefined;
  }
  const fromAddress = emailAddress(source);
  const identity = domainOf(fromAddress) || '*';
  return {
    operation,
    permissions: [
      {
        action: `ses:${operation}`,
        resource: sesIdentityArn(arns, identity),
        label: `identity ${identity}`,
        fromAddress,
      },
      ...(configurationSet
        ? [
            {
              action: `ses:${operation}`,
              resource: sesConfigurationSetArn(arns, configurationSet),
              label: `configuration set ${configurationSet}`,
              fromAddress,
            },
          ]
        : []),
    ],
  };
}

/** The From header of a raw message (base64), SES's FromAddress when Source is absent. */
function rawFrom(data: string | null): string {
  if (!data) return '';
  const text = Buffer.from(data, 'base64').toString('utf8');
  return /^From:\s*(.+)$/im.exec(text)?.[1]?.trim() ?? '';
}

/**
 * The API Gateway management API (`POST|GET|DELETE /<stage>/@connections/<id>`, signed for
 * execute-api): ManageConnections on `<api>/<stage>/<METHOD>/@connections/<id>`. The local
 * WebSocket API's id is `LOCAL_WEBSOCKET_API_ID`.
 */
export const LOCAL_WEBSOCKET_API_ID = 'localws';

function executeApi(request: AwsRequest, arns: Arns): Requested {
  const match = /^\/([^/]+)\/@connections\/([^/]+)$/.exec(request.path);
  const operation =
    { POST: 'PostToConnection', GET: 'GetConnection', DELETE: 'DeleteConnection' }[request.method] ?? 'Unknown';
  const stage = match?.[1] ?? '*';
  const connection = match?.[2] ?? '*';
  return {
    operation,
    permissions: [
      {
        action: 'execute-api:ManageConnections',
        resource: `arn:aws:execute-api:${arns.region}:${arns.account}:${LOCAL_WEBSOCKET_API_ID}/${stage}/${request.method}/@connections/${connection}`,
        label: `connections of ${LOCAL_WEBSOCKET_API_ID}/${stage}`,
      },
    ],
  };
}

const byService: Record<string, (request: AwsRequest, arns: Arns) => Requested> = {
  dynamodb,
  'execute-api': executeApi,
  events,
  scheduler,
  ssm,
  'cognito-idp': cognito,
  ses,
};

/** Every authorization AWS would make for this request. */
export function requestedPermissions(request: AwsRequest, arns: Arns): Requested {
  const read = byService[request.service];
  if (!read) {
    return {
      operation: 'Unknown',
      permissions: [{ action: `${request.service}:Unknown`, resource: '*', label: `service ${request.service}` }],
    };
  }
  return read(request, arns);
}
