/**
 * The region guard: nothing of this backend may be deployed outside the European Union (privacy
 * policy: "no transfer outside the EU"). Synthesis fails for any stack whose region is not on the
 * allow list, and for any environment-agnostic stack, whose region would only be known at deploy.
 */
import { type App, Stack, Token } from 'aws-cdk-lib';
import type { IConstruct, IValidation } from 'constructs';

/**
 * AWS commercial regions located in a member state of the European Union. Deliberately absent:
 * eu-west-2 (London) and eu-central-2 (Zurich), which are in Europe but outside the EU.
 */
export const EU_REGIONS = [
  'eu-west-1', // Ireland
  'eu-west-3', // Paris
  'eu-central-1', // Frankfurt
  'eu-north-1', // Stockholm
  'eu-south-1', // Milan
  'eu-south-2', // Spain
] as const;

export type EuRegion = (typeof EU_REGIONS)[number];

export const DEFAULT_REGION: EuRegion = 'eu-west-3';

export function isEuRegion(region: string): region is EuRegion {
  return (EU_REGIONS as readonly string[]).includes(region);
}

/** Throws unless `region` is a concrete EU region. */
export function assertEuRegion(region: string | undefined): asserts region is EuRegion {
  if (region === undefined || Token.isUnresolved(region)) {
    throw new Error('Region guard: the region must be explicit (an EU region), not resolved at deploy time.');
  }
  if (!isEuRegion(region)) {
    throw new Error(`Region guard: ${region} is outside the European Union; allowed: ${EU_REGIONS.join(', ')}.`);
  }
}

/** The errors of every stack under `scope` that is not pinned to an EU region. */
export function regionGuardErrors(scope: IConstruct): string[] {
  const errors: string[] = [];
  for (const node of scope.node.findAll()) {
    if (!Stack.isStack(node)) continue;
    try {
      assertEuRegion(node.region);
    } catch (error) {
      errors.push(`${node.node.path}: ${(error as Error).message}`);
    }
  }
  return errors;
}

/** Makes `app.synth()` fail when any stack of the app is outside the EU. */
export function applyRegionGuard(app: App): void {
  const validation: IValidation = { validate: () => regionGuardErrors(app) };
  app.node.addValidation(validation);
}
