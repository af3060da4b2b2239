/**
 * Synthesizes the CDK app in-process, as `cdk synth` does: same context (cdk.json's feature
 * flags), same cdk-nag packs, real esbuild bundling; into a temporary directory, so that test
 * files can run in parallel without touching cdk.out. `withoutBundling()` skips the bundling
 * (CDK's own `aws:cdk:bundling-stacks` context, as `cdk synth --exclusively` uses it) for the test
 * files that check the template only: backend-stack.test.ts bundles every function for real.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { IConstruct } from 'constructs';
import { type BackendApp, type BackendAppOptions, createBackendApp, PROJECT_ROOT } from '#infra/backend-app.ts';

export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

export interface Synthesized extends BackendApp {
  readonly assembly: CloudAssembly;
  readonly template: Template;
  /** The template's resources, by logical id. */
  readonly resources: Record<string, { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown }>;
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
  const template = Template.fromStack(backend.stack);
  const resources = template.toJSON().Resources as Synthesized['resources'];
  return { ...backend, assembly, template, resources, outdir, millis: performance.now() - started };
}

/** Context that makes CDK skip asset bundling: the template is the same, the code assets are placeholders. */
export const withoutBundling = (): Record<string, unknown> => ({ 'aws:cdk:bundling-stacks': [] });

/** The logical id of a construct's CloudFormation resource (its default child when it is an L2). */
export function logicalId(stack: Stack, construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return stack.getLogicalId(element);
}

export function resourcesOfType(synth: Synthesized, type: string): [string, Record<string, unknown>][] {
  return Object.entries(synth.resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([id, resource]) => [id, resource.Properties ?? {}]);
}

/** The policy-validation report CDK writes into the cloud assembly (cdk-nag 3 findings). */
export function validationReport(synth: Synthesized): {
  pluginReports: { pluginName: string; conclusion: string; violations: { ruleName: string; severity: string }[] }[];
} {
  return JSON.parse(readFileSync(join(synth.assembly.directory, 'validation-report.json'), 'utf8'));
}
