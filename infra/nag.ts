/**
 * cdk-nag: the AWS Solutions, HIPAA Security and Serverless packs check every resource at
 * synthesis (cdk-nag 3 is a CDK policy-validation plugin: `cdk synth` fails on an unacknowledged
 * finding and writes the report into the cloud assembly).
 */
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, type NagPack, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

export function nagPacks(app: App): NagPack[] {
  return [new AwsSolutionsChecks(app), new HIPAASecurityChecks(app), new ServerlessChecks(app)];
}

export function applyNagPacks(app: App): NagPack[] {
  const packs = nagPacks(app);
  Validations.of(app).addPlugins(...packs);
  return packs;
}

/** Acknowledges a finding on a construct and everything under it, with the reason why it stays. */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}
