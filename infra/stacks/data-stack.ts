/**
 * The data stack (`<stackName>-Data`): what holds data or is named by data, deployed first and
 * rarely: the KMS keys, the tables, the bus and its archive, the user pool with its client,
 * groups and triggers (with their errors alarms), the group of the one-time schedules, the SNS
 * topic of every alarm of the app (infra/constructs/alarms.ts), and the SNS topic SES publishes the
 * newsletter's bounces and complaints to (infra/constructs/mail-feedback.ts). Termination protection is on
 * and every data resource is retained. It depends on no other stack; the backend stack reads its
 * values by deterministic names (tables, bus, schedule group) or weak references
 * (`Fn::GetStackOutput`: keys, streams, the pool), never by exports.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import type { FunctionDefinition, FunctionName } from '#functions/catalogue.ts';
import type { FunctionResources } from '#functions/environment.ts';
import { newsletterConfigurationSetNameOf } from '#shared/newsletter-config.ts';
import type { TableName } from '#shared/tables.ts';
import type { DeploymentConfig } from '../config.ts';
import { Alarms, AlarmTopic, alarmEmailOf } from '../constructs/alarms.ts';
import { Data, physicalTableName, tableReferences } from '../constructs/data.ts';
import { EventBusWithArchive, eventBusNameOf } from '../constructs/events.ts';
import { type BackendFunction, catalogueFunction } from '../constructs/functions.ts';
import { Identity } from '../constructs/identity.ts';
import { OperationalLogs } from '../constructs/logs.ts';
import { MailFeedbackTopic } from '../constructs/mail-feedback.ts';
import { OneTimeScheduleGroup, oneTimeScheduleGroupNameOf } from '../constructs/schedules.ts';
import type { BackendSources } from './sources.ts';

/** Stack tags: CloudFormation applies them to every resource of the stack that takes tags (nested stacks included). */
export const STACK_TAGS = {
  project: 'monprodubienetre',
  'data-classification': 'personal-data',
  'data-residency': 'eu',
} as const;

/**
 * What the functions are told about the deployed resources (functions/environment.ts): by the
 * names we choose where we choose them (tables, bus), the pool and schedules as the caller has them.
 */
export function deployedFunctionResources(
  config: DeploymentConfig,
  sources: BackendSources,
  given: Pick<FunctionResources, 'identity' | 'oneTimeSchedules' | 'webSocket' | 'newsletter'>,
): FunctionResources {
  return {
    tableName: (table) => physicalTableName(config.stackName, sources.tables[table]),
    eventBusName: eventBusNameOf(config.stackName),
    mail: { from: config.mailFrom, platformInbox: config.platformInbox },
    stripe: config.stripe,
    corsAllowedOrigins: config.corsAllowedOrigins,
    mediator: config.mediator,
    ...given,
  };
}

/** The `iss` of a user pool's tokens (Cognito's documented form); its JWKS is `<issuer>/.well-known/jwks.json`. */
export function cognitoIssuer(scope: Construct, userPoolId: string): string {
  return `https://cognito-idp.${Stack.of(scope).region}.amazonaws.com/${userPoolId}`;
}

export interface DataStackProps extends StackProps {
  readonly config: DeploymentConfig;
  readonly projectRoot: string;
  readonly sources: BackendSources;
  readonly cguVersion: string;
}

export class DataStack extends Stack {
  readonly logs: OperationalLogs;
  readonly data: Data;
  readonly events: EventBusWithArchive;
  readonly identity: Identity;
  readonly oneTimeSchedules: OneTimeScheduleGroup | undefined;
  /** The name of the one-time schedule group, when the catalogue has functions creating such schedules. */
  readonly oneTimeScheduleGroupName: string | undefined;
  /** The user pool triggers (catalogue entries with `identity.trigger`), which live with the pool. */
  readonly functions: Partial<Record<FunctionName, BackendFunction>> = {};
  /** What the trigger functions' environment is derived from. */
  readonly functionResources: FunctionResources;
  /** The SNS topic every alarm of the app is sent to (infra/constructs/alarms.ts). */
  readonly alarmTopic: AlarmTopic;
  /** The alarms of this stack's functions (the user pool triggers). */
  readonly alarms: Alarms;
  /**
   * The SNS topic SES publishes the newsletter's bounces and complaints to, when the catalogue has
   * a function receiving them (`sesFeedback`; its context's stack subscribes it by the topic's ARN).
   */
  readonly mailFeedbackTopic: MailFeedbackTopic | undefined;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, { ...props, terminationProtection: true, tags: { ...STACK_TAGS, ...props.tags } });
    const { config, sources } = props;
    const namePrefix = config.stackName;

    this.logs = new OperationalLogs(this, 'Logs');
    const alarmEmail = alarmEmailOf(this);
    this.alarmTopic = new AlarmTopic(this, 'AlarmTopic', {
      namePrefix,
      ...(alarmEmail ? { email: alarmEmail } : {}),
    });
    this.alarms = new Alarms(this, 'Alarms', { namePrefix });
    this.alarms.node.addDependency(this.alarmTopic);
    this.data = new Data(this, 'Data', { tables: sources.tables, namePrefix });
    this.events = new EventBusWithArchive(this, 'Events', { namePrefix });
    const definitions = Object.entries(sources.functions) as [FunctionName, FunctionDefinition][];
    this.oneTimeSchedules = definitions.some(([, definition]) => definition.oneTimeSchedules)
      ? new OneTimeScheduleGroup(this, 'OneTimeSchedules', { namePrefix })
      : undefined;
    this.oneTimeScheduleGroupName = this.oneTimeSchedules ? oneTimeScheduleGroupNameOf(namePrefix) : undefined;
    this.mailFeedbackTopic = definitions.some(([, definition]) => definition.sesFeedback)
      ? new MailFeedbackTopic(this, 'MailFeedbackTopic', {
          namePrefix,
          configurationSetName: newsletterConfigurationSetNameOf(namePrefix),
        })
      : undefined;
    this.identity = new Identity(this, 'Identity', {
      mailFrom: config.mailFrom,
      sesIdentity: config.sesIdentity,
      cguVersion: props.cguVersion,
    });

    this.functionResources = deployedFunctionResources(config, sources, {
      identity: {
        userPoolId: this.identity.userPool.userPoolId,
        cguVersion: props.cguVersion,
        issuer: cognitoIssuer(this, this.identity.userPool.userPoolId),
        appClientId: this.identity.client.userPoolClientId,
      },
      oneTimeSchedules: (target) => {
        throw new Error(`A user pool trigger cannot create one-time schedules (target ${target})`);
      },
      webSocket: () => {
        throw new Error('A user pool trigger cannot manage WebSocket connections');
      },
      newsletter: () => {
        throw new Error('A user pool trigger is no newsletter function');
      },
    });
    // Grants name the tables as the other stacks do (by name), so that cdk-nag findings read alike.
    const tables: Record<TableName, dynamodb.ITable> = tableReferences(this, 'TableReferences', {
      namePrefix,
      definitions: sources.tables,
      key: this.data.key,
      streamArns: this.data.streamArns(),
    });
    for (const [name, definition] of definitions) {
      if (!definition.identity?.trigger) continue;
      const fn = catalogueFunction(this, name, definition, {
        projectRoot: props.projectRoot,
        logs: this.logs,
        tables,
        tableDefinitions: sources.tables,
        bus: this.events.bus,
        mail: { from: config.mailFrom, platformInbox: config.platformInbox, sesIdentity: config.sesIdentity },
        stripe: config.stripe,
        userPoolArn: this.identity.userPool.userPoolArn,
        oneTimeScheduleGroupName: undefined,
        resources: this.functionResources,
      });
      // Tables are granted by name: make the trigger wait for them all the same.
      for (const table of Object.keys(definition.tables ?? {}) as TableName[]) {
        fn.node.addDependency(this.data.tables[table]);
      }
      this.identity.addCatalogueTrigger(definition, fn);
      this.functions[name] = fn;
      this.alarms.functionErrors(name, fn);
    }

    new CfnOutput(this, 'UserPoolId', { value: this.identity.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.identity.client.userPoolClientId });
    new CfnOutput(this, 'EventBusName', { value: this.events.bus.eventBusName });
  }
}
