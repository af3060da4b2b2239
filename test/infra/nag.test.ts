/**
 * How cdk-nag 3 reports: it is a CDK policy-validation plugin (Validations.of(app).addPlugins),
 * so an unacknowledged error finding makes synthesis throw, and the findings land in the cloud
 * assembly's validation-report.json; `Validations.of(scope).acknowledge` clears a finding.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { acknowledge, applyNagPacks } from '#infra/nag.ts';

function appWithUnencryptedQueue(acknowledged: boolean): App {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'mpbe-nag-')) });
  const stack = new Stack(app, 'NagProbe', { env: { region: 'eu-west-3', account: '123456789012' } });
  const queue = new sqs.Queue(stack, 'Queue', { encryption: sqs.QueueEncryption.UNENCRYPTED });
  for (const id of [
    'AwsSolutions-SQS3',
    'AwsSolutions-SQS4',
    'Serverless-SQSRedrivePolicy',
    ...(acknowledged ? ['AwsSolutions-SQS2'] : []),
  ]) {
    acknowledge(queue, id, 'A probe queue of this test, never deployed: it only shows how cdk-nag reports.');
  }
  applyNagPacks(app);
  return app;
}

describe('cdk-nag wiring', () => {
  it('fails synthesis on an unacknowledged finding and writes it into the validation report', () => {
    const app = appWithUnencryptedQueue(false);
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS2/);
    const report = JSON.parse(readFileSync(join(app.outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { pluginName: string; violations: { ruleName: string }[] }[];
    };
    const awsSolutions = report.pluginReports.find((plugin) => plugin.pluginName === 'AwsSolutions');
    expect(awsSolutions?.violations.map((v) => v.ruleName)).toEqual(['AwsSolutions-SQS2']);
  });

  it('passes once the finding is acknowledged with a reason', () => {
    expect(() => appWithUnencryptedQueue(true).synth()).not.toThrow();
  });
});
