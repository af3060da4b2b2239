/**
 * The credentials of a deployed function: its execution role's, which Lambda's runtime puts in
 * the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) before the
 * function's code loads.
 *
 * The bundles put this module in place of the SDK's default chain
 * (`@aws-sdk/credential-provider-node`, infra/bundling.ts). That chain's first link is this same
 * read of the environment, and in Lambda it always answers; the rest of it (SSO, ini files,
 * credential processes, web identity, container and instance metadata, with the STS and SSO
 * clients they bring) never runs there, yet cost every bundle 130 KB and every cold start 20 to
 * 40 ms (`npm run bench`). Locally, functions run from source with the full chain, and the local
 * cloud gives each its credentials in the same environment variables.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

/** The SDK clients call it as they call the default chain's: with their configuration. */
export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
