/**
 * cdk-nag: the AWS Solutions, HIPAA Security and Serverless packs check every resource at
 * synthesis (cdk-nag 3 is a CDK policy-validation plugin: `cdk synth` fails on an unacknowledged
 * finding and writes the report into the cloud assembly).
 */
import { type App, Aws, type Stack, Token, Validations } from 'aws-cdk-lib';
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

/**
 * How cdk-nag names a resource in a finding: the value as resolved in `stack`, a reference to a
 * resource or parameter written `<LogicalId>` (`<LogicalId.Attribute>` for an attribute).
 */
export function findingName(stack: Stack, value: string): string {
  const render = (part: unknown): string => {
    if (typeof part === 'string') return part;
    const token = part as { Ref?: string; 'Fn::GetAtt'?: [string, string]; 'Fn::Join'?: [string, unknown[]] };
    if (token.Ref) return `<${token.Ref}>`;
    if (token['Fn::GetAtt']) return `<${token['Fn::GetAtt'].join('.')}>`;
    if (token['Fn::Join']) return token['Fn::Join'][1].map(render).join(token['Fn::Join'][0]);
    throw new Error(`findingName: cannot render ${JSON.stringify(part)}`);
  };
  return render(stack.resolve(value));
}

/**
 * An ARN ending in a wildcard, and the name cdk-nag gives it in a finding: the parameters it holds
 * (partition, and region and account when the stack does not fix them) appear as `<AWS::…>`.
 */
export function wildcardArn(stack: Stack, service: string, resource: string): { arn: string; findingName: string } {
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  return {
    arn: `arn:${Aws.PARTITION}:${service}:${stack.region}:${stack.account}:${resource}`,
    findingName: `arn:<AWS::Partition>:${service}:${region}:${account}:${resource}`,
  };
}
