/**
 * Data: one DynamoDB table per entry of the table catalogue (shared/tables.ts), encrypted with a
 * customer-managed key, on demand, with the TTL attribute, a stream and point-in-time recovery.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { BACKUP_RECOVERY_DAYS } from '#shared/retention/backups.ts';
import type { AttributeType, TableDefinition, TableName } from '#shared/tables.ts';
import { acknowledge } from '../nag.ts';

/** Point-in-time recovery window: see shared/retention/backups.ts. */
export const PITR_RECOVERY_DAYS = BACKUP_RECOVERY_DAYS;

export interface DataProps {
  readonly tables: Readonly<Record<TableName, TableDefinition>>;
  /** Prefix of the physical table names (the app's stack name): see `physicalTableName`. */
  readonly namePrefix: string;
}

/**
 * The physical name of a table: deterministic, so that the stacks of the functions name it (and
 * its ARN and index ARNs) without a cross-stack reference; a retained table is never replaced
 * under the same name by accident (CloudFormation refuses to replace a named resource).
 */
export function physicalTableName(namePrefix: string, definition: TableDefinition): string {
  return `${namePrefix}-${definition.name}`;
}

function attributeType(type: AttributeType): dynamodb.AttributeType {
  return type === 'N' ? dynamodb.AttributeType.NUMBER : dynamodb.AttributeType.STRING;
}

export interface TableReferencesProps {
  readonly namePrefix: string;
  readonly definitions: Readonly<Record<TableName, TableDefinition>>;
  readonly key: kms.IKey;
  /** Each table's stream ARN (it changes if a stream is ever re-enabled: a weak reference, not a name). */
  readonly streamArns: Readonly<Record<TableName, string>>;
}

/**
 * The tables as another stack names them: by their deterministic physical names (so their ARNs
 * and index ARNs are plain strings there), with their key and streams; grants on them extend to
 * their indexes and their key.
 */
export function tableReferences(
  scope: Construct,
  id: string,
  props: TableReferencesProps,
): Record<TableName, dynamodb.ITable> {
  const references = {} as Record<TableName, dynamodb.ITable>;
  for (const [name, definition] of Object.entries(props.definitions) as [TableName, TableDefinition][]) {
    references[name] = dynamodb.Table.fromTableAttributes(scope, `${id}${name}`, {
      tableName: physicalTableName(props.namePrefix, definition),
      tableStreamArn: props.streamArns[name],
      encryptionKey: props.key,
      globalIndexes: definition.indexes.map((index) => index.name),
    });
  }
  return references;
}

export class Data extends Construct {
  readonly key: kms.Key;
  readonly tables: Readonly<Record<TableName, dynamodb.Table>>;

  constructor(scope: Construct, id: string, props: DataProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: 'Encrypts the DynamoDB tables (personal data) of the backend',
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const tables = {} as Record<TableName, dynamodb.Table>;
    for (const [name, definition] of Object.entries(props.tables) as [TableName, TableDefinition][]) {
      const table = new dynamodb.Table(this, `${name}Table`, {
        tableName: physicalTableName(props.namePrefix, definition),
        partitionKey: { name: definition.partitionKey.name, type: attributeType(definition.partitionKey.type) },
        sortKey: { name: definition.sortKey.name, type: attributeType(definition.sortKey.type) },
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        timeToLiveAttribute: definition.ttlAttribute,
        stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
        pointInTimeRecoverySpecification: {
          pointInTimeRecoveryEnabled: true,
          recoveryPeriodInDays: PITR_RECOVERY_DAYS,
        },
        encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
        encryptionKey: this.key,
        deletionProtection: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      for (const index of definition.indexes) {
        table.addGlobalSecondaryIndex({
          indexName: index.name,
          partitionKey: { name: index.partitionKey.name, type: attributeType(index.partitionKey.type) },
          ...(index.sortKey ? { sortKey: { name: index.sortKey.name, type: attributeType(index.sortKey.type) } } : {}),
          projectionType: dynamodb.ProjectionType[index.projection],
          ...(index.projection === 'INCLUDE' ? { nonKeyAttributes: [...(index.nonKeyAttributes ?? [])] } : {}),
        });
      }
      acknowledge(
        table,
        'HIPAA.Security-DynamoDBInBackupPlan',
        `Backups are point-in-time recovery (${PITR_RECOVERY_DAYS} days), which is also how long an erased item survives in them, as the register of processing states. An AWS Backup plan would keep erased personal data beyond that documented window (GDPR art. 17) for no recovery need the PITR window does not meet.`,
      );
      tables[name] = table;
    }
    this.tables = tables;
  }

  /** The stream ARN of every table. */
  streamArns(): Record<TableName, string> {
    return Object.fromEntries(
      Object.entries(this.tables).map(([name, table]) => [name, table.tableStreamArn as string]),
    ) as Record<TableName, string>;
  }
}
