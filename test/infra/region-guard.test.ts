/** Nothing is synthesized outside the EU: the region guard refuses any other region. */
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { createBackendApp } from '#infra/backend-app.ts';
import { applyRegionGuard, assertEuRegion, EU_REGIONS, isEuRegion } from '#infra/region-guard.ts';

function appWithStackIn(region: string | undefined): App {
  const app = new App();
  applyRegionGuard(app);
  const stack = new Stack(app, 'Probe', region ? { env: { region, account: '123456789012' } } : {});
  new CfnResource(stack, 'Handle', { type: 'AWS::CloudFormation::WaitConditionHandle' });
  return app;
}

describe('region guard', () => {
  it('accepts eu-west-3 and every region of the allow list', () => {
    expect(() => assertEuRegion('eu-west-3')).not.toThrow();
    for (const region of EU_REGIONS) expect(isEuRegion(region)).toBe(true);
  });

  it.each(['us-east-1', 'us-west-2', 'ap-southeast-1', 'eu-west-2', 'eu-central-2', 'il-central-1', 'me-central-1'])(
    'refuses %s',
    (region) => {
      expect(() => assertEuRegion(region)).toThrow(/outside the European Union/);
    },
  );

  it('fails synthesis of a stack in us-east-1', () => {
    expect(() => appWithStackIn('us-east-1').synth()).toThrow(
      /Probe: Region guard: us-east-1 is outside the European Union/,
    );
  });

  it('fails synthesis of an environment-agnostic stack (its region would be chosen at deploy)', () => {
    expect(() => appWithStackIn(undefined).synth()).toThrow(/region must be explicit/);
  });

  it('synthesizes a stack in eu-west-3', () => {
    expect(() => appWithStackIn('eu-west-3').synth()).not.toThrow();
  });

  it('is applied by the backend app: a region outside the EU in context stops it', () => {
    expect(() => createBackendApp({ context: { region: 'us-east-1' } })).toThrow(
      /us-east-1 is outside the European Union/,
    );
  });
});
