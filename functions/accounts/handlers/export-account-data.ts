/** ExportRequested: the account part, from the accounts table and the Cognito user (shared/privacy/export-handler.ts, ADR 0018). */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { clientConfig } from '#shared/aws-clients.ts';
import { requiredEnv } from '#shared/config.ts';
import { exporterHandler } from '#shared/privacy/export-handler.ts';
import { cognitoIdentityExport } from '../adapters/cognito-identity-export.ts';
import { accountEntities } from '../entities.ts';

export const handler = exporterHandler([{ table: 'accounts', entities: accountEntities }], () =>
  cognitoIdentityExport({
    client: new CognitoIdentityProviderClient(clientConfig),
    userPoolId: requiredEnv('COGNITO_USER_POOL_ID'),
  }),
);
