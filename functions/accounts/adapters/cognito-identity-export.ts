/**
 * The account part's record kept outside our tables: the person's Cognito user, as AdminGetUser
 * gives it (attributes, state, dates, MFA), explained in shared/privacy/export-parts.ts
 * (`externalRecords.account['cognito-identity']`). A user already gone gives no record.
 */
import { AdminGetUserCommand, type CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { ExtraRecords } from '#shared/privacy/export-handler.ts';

export function cognitoIdentityExport(deps: {
  client: CognitoIdentityProviderClient;
  userPoolId: string;
}): ExtraRecords {
  return async (order): ReturnType<ExtraRecords> => {
    if (!order.accountId) return { account: {} };
    try {
      const user = await deps.client.send(
        new AdminGetUserCommand({ UserPoolId: deps.userPoolId, Username: order.accountId }),
      );
      return {
        account: {
          'cognito-identity': [
            {
              username: user.Username,
              attributes: Object.fromEntries((user.UserAttributes ?? []).map((a) => [a.Name ?? '', a.Value])),
              enabled: user.Enabled,
              status: user.UserStatus,
              createdAt: user.UserCreateDate?.toISOString(),
              updatedAt: user.UserLastModifiedDate?.toISOString(),
              mfa: user.UserMFASettingList ?? [],
            },
          ],
        },
      };
    } catch (error) {
      if ((error as Error).name === 'UserNotFoundException') return { account: {} };
      throw error;
    }
  };
}
