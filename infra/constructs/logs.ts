/**
 * Operational logs: one customer-managed key for every log group of the backend, and a factory of
 * log groups that are always encrypted with it and always expire (retention from the catalogue).
 */
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { logRetentionAtMost, TECHNICAL_LOG_DAYS } from '../retention.ts';

export interface LogGroupOptions {
  /** Days the entries may be kept at most; defaults to the technical-operation period. */
  readonly maxDays?: number;
  /** A fixed name, for log groups whose name AWS imposes (API Gateway execution logs, WAF). */
  readonly logGroupName?: string;
}

export class OperationalLogs extends Construct {
  readonly key: kms.Key;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = Stack.of(this);
    this.key = new kms.Key(this, 'Key', {
      description: 'Encrypts the CloudWatch Logs log groups of the backend',
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch Logs encrypts with the key only for log groups of this account and region.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogsOfThisAccountAndRegion',
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
  }

  /** A log group encrypted with the logs key, with a finite retention of at most `maxDays`. */
  logGroup(scope: Construct, id: string, options: LogGroupOptions = {}): logs.LogGroup {
    return new logs.LogGroup(scope, id, {
      ...(options.logGroupName ? { logGroupName: options.logGroupName } : {}),
      encryptionKey: this.key,
      retention: logRetentionAtMost(options.maxDays ?? TECHNICAL_LOG_DAYS),
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
