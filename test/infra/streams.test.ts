/**
 * The stream consumer table (functions/streams.ts) in the synthesized template: one event source
 * mapping per consumer × table, reading the table's stream with the consumer's event filter,
 * batch size and retries, bisecting failing batches, taking partial batch responses, and sending
 * what still fails to its context's encrypted dead-letter queue; the function may read those
 * streams only. Mappings live in the stack of their target's context and name the data stack's
 * streams by weak references.
 */
import { Stack } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { streamConsumers } from '#functions/streams.ts';
import { type TableName, tables } from '#shared/tables.ts';
import {
  functionNamed,
  logicalId,
  resourceOf,
  resourcesOfType,
  resourcesOfTypeBeside,
  type Synthesized,
  synthesize,
  validationReport,
  withoutBundling,
} from './synth.ts';

let synth: Synthesized;
beforeAll(() => {
  synth = synthesize({ context: withoutBundling() });
});

const tableNames = Object.keys(tables) as TableName[];

describe('stream consumers', () => {
  it('declares the deletion audit on the REMOVE records of every table', () => {
    const audit = streamConsumers.find((c) => c.name === 'retention-deletion-audit');
    expect(audit).toMatchObject({ target: 'recordDeletions', eventNames: ['REMOVE'] });
    expect([...(audit?.tables ?? [])].sort()).toEqual([...tableNames].sort());
  });

  /** The data stack's attribute a weak reference (Fn::GetStackOutput) reads. */
  function dataValue(value: unknown): unknown {
    const weak = (value as { 'Fn::GetStackOutput'?: { OutputName: string } })['Fn::GetStackOutput'];
    if (!weak) return value;
    const outputs = synth.stacks.find((s) => s.stack === synth.data)?.json.Outputs ?? {};
    return (outputs[weak.OutputName] as { Value: unknown }).Value;
  }

  const failureQueueOf = (name: string) => {
    for (const context of Object.values(synth.backend.contexts)) {
      const queue = context.streams?.failureQueues[name];
      if (queue) return queue;
    }
    throw new Error(`No failure queue for ${name}`);
  };

  it('maps each consumer × table to one event source mapping with its filter, batching, retries and on-failure queue', () => {
    const mappings = resourcesOfType(synth, 'AWS::Lambda::EventSourceMapping');
    for (const consumer of streamConsumers) {
      const target = functionNamed(synth, consumer.target).function;
      const fn = logicalId(target);
      const failures = failureQueueOf(consumer.name);
      expect(Stack.of(failures)).toBe(Stack.of(target));
      const queue = logicalId(failures);
      for (const table of consumer.tables) {
        const tableId = logicalId(synth.data.data.tables[table]);
        const found = mappings.filter(
          ([, p, stack]) =>
            stack === Stack.of(target) &&
            JSON.stringify(dataValue(p.EventSourceArn)) === JSON.stringify({ 'Fn::GetAtt': [tableId, 'StreamArn'] }) &&
            JSON.stringify(p.FunctionName) === JSON.stringify({ Ref: fn }),
        );
        expect(found, `${consumer.name} × ${table}`).toHaveLength(1);
        expect(found[0]![1]).toMatchObject({
          FunctionName: { Ref: fn },
          StartingPosition: 'TRIM_HORIZON',
          BatchSize: consumer.batchSize,
          MaximumRetryAttempts: consumer.maximumRetryAttempts,
          BisectBatchOnFunctionError: true,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          FilterCriteria: {
            Filters: [
              {
                Pattern: JSON.stringify({
                  eventName: [...consumer.eventNames],
                  ...(consumer.newImageEntities
                    ? { dynamodb: { NewImage: { entity: { S: [...consumer.newImageEntities] } } } }
                    : {}),
                }),
              },
            ],
          },
          DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queue, 'Arn'] } } },
        });
      }
    }
    expect(mappings).toHaveLength(streamConsumers.reduce((n, c) => n + c.tables.length, 0));
    expect(mappings.every(([, p]) => p.Enabled !== false)).toBe(true);
  });

  it('keeps failed batches in an encrypted queue the function may send to', () => {
    for (const consumer of streamConsumers) {
      const failures = failureQueueOf(consumer.name);
      const queue = logicalId(failures);
      expect(resourceOf(synth, failures).Properties).toMatchObject({
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: 1_209_600,
      });
      const roleConstruct = functionNamed(synth, consumer.target).role;
      const role = logicalId(roleConstruct);
      const statements = resourcesOfTypeBeside(synth, roleConstruct, 'AWS::IAM::Policy')
        .filter(([, p]) => JSON.stringify(p.Roles) === JSON.stringify([{ Ref: role }]))
        .flatMap(
          ([, p]) => (p.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement,
        );
      const actions = (s: { Action: string | string[] }) => [s.Action].flat();
      expect(
        statements.some(
          (s) =>
            actions(s).includes('sqs:SendMessage') &&
            [s.Resource].flat().some((r) => JSON.stringify(r) === JSON.stringify({ 'Fn::GetAtt': [queue, 'Arn'] })),
        ),
      ).toBe(true);
      for (const table of consumer.tables) {
        const tableId = logicalId(synth.data.data.tables[table]);
        expect(
          statements.some(
            (s) =>
              actions(s).includes('dynamodb:GetRecords') &&
              [s.Resource]
                .flat()
                .some((r) => JSON.stringify(dataValue(r)) === JSON.stringify({ 'Fn::GetAtt': [tableId, 'StreamArn'] })),
          ),
          `${consumer.target} reads the stream of ${table}`,
        ).toBe(true);
      }
    }
  });

  it('leaves no cdk-nag finding', () => {
    const findings = validationReport(synth).pluginReports.flatMap((plugin) =>
      plugin.violations.map((v) => `${plugin.pluginName} ${v.severity} ${v.ruleName}`),
    );
    expect(findings).toEqual([]);
  });
});
