/**
 * An account's Cognito user attributes, by its account id (in a pool signed in by email the
 * username is the sub: the account id), with AdminGetUser, the one identity action the functions
 * that mail or name people are granted. An id without a user (an erased account, a demo
 * practitioner of the local seed) has none. Nothing here is logged.
 */
import { AdminGetUserCommand, type CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';

export async function cognitoUserAttributes(
  deps: { client: CognitoIdentityProviderClient; userPoolId: string },
  accountId: string,
): Promise<Record<string, string | undefined> | undefined> {
  try {
    const user = await deps.client.send(new AdminGetUserCommand({ UserPoolId: deps.userPoolId, Username: accountId }));
    return Object.fromEntries((user.UserAttributes ?? []).map((a) => [a.Name ?? '', a.Value]));
  } catch (error) {
    if ((error as Error).name === 'UserNotFoundException') return undefined;
    throw error;
  }
}
