/**
 * Who a practitioner's clients are, for the practitioner's export: their first and last name and
 * email, read from the Cognito user pool (AdminGetUser, granted on the pool only; the account id
 * is the username). Nothing else of the identity is read, nothing is stored or logged.
 */
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { cognitoUserAttributes } from '#shared/identity/cognito-user.ts';
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
      const attributes = await cognitoUserAttributes(deps, accountId);
      if (!attributes) return unknownClient;
      const attribute = (name: string) => attributes[name] ?? null;
      return { firstName: attribute('given_name'), lastName: attribute('family_name'), email: attribute('email') };
    },
  };
}
