/**
 * Synthesizes the CDK app in-process, as `cdk synth` does: same context (cdk.json's feature
 * flags), same cdk-nag packs; into a temporary directory, so that test files can run in parallel
 * without touching cdk.out. `withoutBundling()` skips the bundling (CDK's own
 * `aws:cdk:bundling-stacks` context, as `cdk synth --exclusively` uses it) for the test files that
 * check the templates only: deployed-artifact.test.ts bundles every function for real, with the CLI.
 *
 * The app has several stacks (data, backend, one nested stack per bounded context): the helpers
 * find a construct's resource in its own stack's template, and resources of a type in all of them.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { IConstruct } from 'constructs';
import { type BackendApp, type BackendAppOptions, createBackendApp, PROJECT_ROOT } from '#infra/backend-app.ts';
import type { BackendFunction } from '#infra/constructs/functions.ts';

export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

export interface CfnResourceJson {
  Type: string;
  Properties?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface StackTemplate {
  readonly stack: Stack;
  readonly json: {
    Resources: Record<string, CfnResourceJson>;
    Outputs?: Record<string, unknown>;
    [key: string]: unknown;
  };
  readonly template: Template;
  /** Bytes of the template file. */
  readonly bytes: number;
}

export interface Synthesized extends BackendApp {
  readonly assembly: CloudAssembly;
  /** Every stack of the app, nested ones included. */
  readonly stacks: readonly StackTemplate[];
  readonly outdir: string;
  /** Milliseconds spent constructing (bundling included) and synthesizing. */
  readonly millis: number;
}

export function synthesize(options: BackendAppOptions = {}): Synthesized {
  const started = performance.now();
  const outdir = mkdtempSync(join(tmpdir(), 'mpbe-cdk-'));
  const backend = createBackendApp({
    outdir,
    ...options,
    context: { ...cdkJsonContext(), account: '123456789012', ...options.context },
  });
  const assembly = backend.app.synth();
  const stacks = backend.app.node
    .findAll()
    .filter((node): node is Stack => Stack.isStack(node))
    .map((stack) => {
      const text = readFileSync(join(assembly.directory, stack.templateFile), 'utf8');
      const json = JSON.parse(text) as StackTemplate['json'];
      return { stack, json, template: Template.fromJSON(json), bytes: Buffer.byteLength(text) };
    });
  return { ...backend, assembly, stacks, outdir, millis: performance.now() - started };
}

/** Context that makes CDK skip asset bundling: the templates are the same, the code assets are placeholders. */
export const withoutBundling = (): Record<string, unknown> => ({ 'aws:cdk:bundling-stacks': [] });

/** The logical id of a construct's CloudFormation resource (its default child when it is an L2), in its own stack. */
export function logicalId(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return Stack.of(element).getLogicalId(element);
}

/** The template of the stack a construct is in. */
export function templateOf(synth: Synthesized, construct: IConstruct): StackTemplate {
  // A nested stack's default child is its resource in the parent: a stack is its own template.
  const stack = Stack.isStack(construct) ? construct : Stack.of(construct.node.defaultChild ?? construct);
  const found = synth.stacks.find((entry) => entry.stack === stack);
  if (!found) throw new Error(`No template for ${stack.node.path}`);
  return found;
}

/** A construct's resource in its stack's template. */
export function resourceOf(synth: Synthesized, construct: IConstruct): CfnResourceJson {
  const resource = templateOf(synth, construct).json.Resources[logicalId(construct)];
  if (!resource) throw new Error(`No resource for ${construct.node.path}`);
  return resource;
}

/** The resources of a type across every stack: [logical id, properties, stack]. */
export function resourcesOfType(synth: Synthesized, type: string): [string, Record<string, unknown>, Stack][] {
  return synth.stacks.flatMap(({ stack, json }) =>
    Object.entries(json.Resources)
      .filter(([, resource]) => resource.Type === type)
      .map(([id, resource]): [string, Record<string, unknown>, Stack] => [id, resource.Properties ?? {}, stack]),
  );
}

/** The resources of a type in the stack a construct is in. */
export function resourcesOfTypeBeside(
  synth: Synthesized,
  construct: IConstruct,
  type: string,
): [string, Record<string, unknown>][] {
  return Object.entries(templateOf(synth, construct).json.Resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([id, resource]) => [id, resource.Properties ?? {}]);
}

/** A function of the catalogue, whichever stack it is in. */
export function functionNamed(synth: Synthesized, name: string): BackendFunction {
  const fn = (synth.functions as Record<string, BackendFunction | undefined>)[name];
  if (!fn) throw new Error(`No function ${name}`);
  return fn;
}

/** The policy-validation report CDK writes into the cloud assembly (cdk-nag 3 findings). */
export function validationReport(synth: Synthesized): {
  pluginReports: { pluginName: string; conclusion: string; violations: { ruleName: string; severity: string }[] }[];
} {
  return JSON.parse(readFileSync(join(synth.assembly.directory, 'validation-report.json'), 'utf8'));
}
