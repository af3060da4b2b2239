/**
 * Builds the CDK app: configuration from context, the region guard, the backend stack and the
 * cdk-nag packs. infra/app.ts synthesizes it for the CLI; the infra tests build it in-process.
 */
import { fileURLToPath } from 'node:url';
import { App, type AppProps } from 'aws-cdk-lib';
import { type DeploymentConfig, readConfig } from './config.ts';
import { applyNagPacks } from './nag.ts';
import { applyRegionGuard } from './region-guard.ts';
import { type BackendSources, BackendStack } from './stacks/backend-stack.ts';

export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface BackendAppOptions extends AppProps {
  readonly sources?: Partial<BackendSources>;
  /** Attach the cdk-nag packs (default true). */
  readonly nag?: boolean;
}

export interface BackendApp {
  readonly app: App;
  readonly config: DeploymentConfig;
  readonly stack: BackendStack;
}

export function createBackendApp(options: BackendAppOptions = {}): BackendApp {
  const { sources, nag = true, ...appProps } = options;
  const app = new App(appProps);
  applyRegionGuard(app);
  const config = readConfig(app);
  const stack = new BackendStack(app, config.stackName, {
    env: { region: config.region, ...(config.account ? { account: config.account } : {}) },
    description: 'Mon Pro du Bien-Être backend (personal data, EU region only)',
    config,
    projectRoot: PROJECT_ROOT,
    ...(sources ? { sources } : {}),
  });
  if (nag) applyNagPacks(app);
  return { app, config, stack };
}
