/**
 * People's identity, from the Cognito user pool (AdminGetUser, by the account id: in a pool signed
 * in by email the username is the sub): the first and last names a display name is made of, and
 * the email mails go to. An id without a user (an erased account, a demo practitioner of the local
 * seed) has no identity. Nothing here is logged.
 */
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { cognitoUserAttributes } from './cognito-user.ts';

export interface PersonIdentity {
  readonly email?: string;
  readonly firstName?: string;
  readonly lastName?: string;
}

export interface PersonDirectory {
  identityOf(accountId: string): Promise<PersonIdentity | undefined>;
}

export function cognitoPersonDirectory(deps: {
  client: CognitoIdentityProviderClient;
  userPoolId: string;
}): PersonDirectory {
  return {
    async identityOf(accountId) {
      const attributes = await cognitoUserAttributes(deps, accountId);
      if (!attributes) return undefined;
      return {
        ...(attributes.email ? { email: attributes.email } : {}),
        ...(attributes.given_name ? { firstName: attributes.given_name } : {}),
        ...(attributes.family_name ? { lastName: attributes.family_name } : {}),
      };
    },
  };
}
