/**
 * Who a practitioner's clients are, for the practitioner's export: their first and last name and
 * email, read from the Cognito user pool (AdminGetUser, granted on the pool only; the account id
 * is the username). Nothing else of the identity is read, nothing is stored or logged.
 */
import { AdminGetUserCommand, type CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { type ClientIdentity, unknownClient } from '../domain/export.ts';

export interface ClientDirectory {
  /** The client's name and email; nulls when the account no longer exists. */
  identity(accountId: string): Promise<ClientIdentity>;
}

export function cognitoClientDirectory(deps: {
  client: CognitoIdentityProviderClient;
  userPoolId: string;
}): ClientDirectory {
  return {
    async identity(accountId) {
      try {
        const user = await deps.client.send(
          new AdminGetUserCommand({ UserPoolId: deps.userPoolId, Username: accountId }),
        );
        const attribute = (name: string) => user.UserAttributes?.find((a) => a.Name === name)?.Value ?? null;
        return { firstName: attribute('given_name'), lastName: attribute('family_name'), email: attribute('email') };
      } catch (error) {
        if ((error as Error).name === 'UserNotFoundException') return unknownClient;
        throw error;
      }
    },
  };
}
