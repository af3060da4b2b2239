/**
 * Builds the CDK app: configuration from context, the region guard, the resource budget, the
 * data stack and the backend stack (with one nested stack per bounded context), and the cdk-nag
 * packs. infra/app.ts synthesizes it for the CLI; the infra tests build it in-process.
 */
import { fileURLToPath } from 'node:url';
import { App, type AppProps } from 'aws-cdk-lib';
import { DEFAULT_CGU_VERSION } from '#functions/accounts/contract.ts';
import type { FunctionName } from '#functions/catalogue.ts';
import { type DeploymentConfig, readConfig } from './config.ts';
import type { BackendFunction } from './constructs/functions.ts';
import { applyNagPacks } from './nag.ts';
import { applyRegionGuard } from './region-guard.ts';
import { applyResourceBudget, RESOURCE_BUDGET } from './resource-budget.ts';
import { BackendStack } from './stacks/backend-stack.ts';
import { DataStack } from './stacks/data-stack.ts';
import { type BackendSources, projectSources } from './stacks/sources.ts';

export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface BackendAppOptions extends AppProps {
  readonly sources?: Partial<BackendSources>;
  /** Attach the cdk-nag packs (default true). */
  readonly nag?: boolean;
  /** Resources allowed per stack (default RESOURCE_BUDGET). */
  readonly resourceBudget?: number;
}

export interface BackendApp {
  readonly app: App;
  readonly config: DeploymentConfig;
  /** `<stackName>-Data`: keys, tables, bus, user pool (with its triggers), schedule group. */
  readonly data: DataStack;
  /** `<stackName>-Backend`: the API, the WAF, one nested stack per bounded context. */
  readonly backend: BackendStack;
  /** Every function of the catalogue, whichever stack it is in. */
  readonly functions: Readonly<Partial<Record<FunctionName, BackendFunction>>>;
}

export function createBackendApp(options: BackendAppOptions = {}): BackendApp {
  const { sources: substitutes, nag = true, resourceBudget = RESOURCE_BUDGET, ...appProps } = options;
  const app = new App(appProps);
  applyRegionGuard(app);
  applyResourceBudget(app, resourceBudget);
  const config = readConfig(app);
  const sources = { ...projectSources, ...substitutes };
  const env = { region: config.region, ...(config.account ? { account: config.account } : {}) };
  const cguVersion = (app.node.tryGetContext('cguVersion') as string | undefined) ?? DEFAULT_CGU_VERSION;
  const data = new DataStack(app, `${config.stackName}-Data`, {
    env,
    description: 'Mon Pro du Bien-Être data: keys, tables, bus, user pool (personal data, EU region only)',
    config,
    projectRoot: PROJECT_ROOT,
    sources,
    cguVersion,
  });
  const backend = new BackendStack(app, `${config.stackName}-Backend`, {
    env,
    description: 'Mon Pro du Bien-Être backend: API and functions, one nested stack per bounded context',
    config,
    projectRoot: PROJECT_ROOT,
    sources,
    cguVersion,
    data,
  });
  backend.addStackDependency(data, 'reads its tables, keys, bus and user pool');
  if (nag) applyNagPacks(app);
  return { app, config, data, backend, functions: { ...data.functions, ...backend.functions } };
}
