/**
 * cdk-nag: the AWS Solutions, HIPAA Security and Serverless packs check every resource at
 * synthesis (cdk-nag 3 is a CDK policy-validation plugin: `cdk synth` fails on an unacknowledged
 * finding and writes the report into the cloud assembly).
 */
import { type App, Aws, CfnElement, Names, Stack, Token, Validations } from 'aws-cdk-lib';
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

/** The CloudFormation element of `stack` itself (not of a nested stack) with this logical id. */
function elementOf(stack: Stack, logicalId: string): CfnElement | undefined {
  return stack.node
    .findAll()
    .find(
      (node): node is CfnElement =>
        CfnElement.isCfnElement(node) && Stack.of(node) === stack && stack.resolve(node.logicalId) === logicalId,
    );
}

/**
 * How a reference reads in `stack`'s template: `<LogicalId>` (`<LogicalId.Attribute>`) for its own
 * resources and parameters; a nested stack receives its parent's values as parameters, which CDK
 * names `referenceto<unique id of the target><attribute>` (`Ref` for a reference), so cdk-nag
 * names them `<referenceto…>`.
 */
function referenceName(stack: Stack, logicalId: string, attribute: string | undefined): string {
  const own = attribute === undefined ? `<${logicalId}>` : `<${logicalId}.${attribute}>`;
  if (logicalId.startsWith('AWS::') || !stack.nested || elementOf(stack, logicalId)) return own;
  for (let parent = stack.nestedStackParent; parent; parent = parent.nestedStackParent) {
    const target = elementOf(parent, logicalId);
    if (target) {
      return `<${`referenceto${Names.nodeUniqueId(target.node)}${attribute ?? 'Ref'}`.replace(/[^A-Za-z0-9]/g, '')}>`;
    }
  }
  return own;
}

/**
 * How cdk-nag names a resource in a finding: the value as resolved in `stack`, a reference to a
 * resource or parameter written `<LogicalId>` (`<LogicalId.Attribute>` for an attribute), a value
 * a nested stack receives from its parent written as the parameter CDK passes it by.
 */
export function findingName(stack: Stack, value: string): string {
  const render = (part: unknown): string => {
    if (typeof part === 'string') return part;
    const token = part as { Ref?: string; 'Fn::GetAtt'?: [string, string]; 'Fn::Join'?: [string, unknown[]] };
    if (token.Ref) return referenceName(stack, token.Ref, undefined);
    if (token['Fn::GetAtt']) return referenceName(stack, token['Fn::GetAtt'][0], token['Fn::GetAtt'][1]);
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
