/**
 * The authors' identity, from the Cognito user pool (AdminGetUser, by the account id: in a pool
 * signed in by email the username is the sub): the first and last names a review's display name
 * is made of, and the email its moderation mails go to. An id without a user (an erased account)
 * has no identity. Nothing here is logged.
 */
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { cognitoUserAttributes } from '#shared/identity/cognito-user.ts';

export interface AuthorIdentity {
  readonly email?: string;
  readonly firstName?: string;
  readonly lastName?: string;
}

export interface AuthorDirectory {
  identityOf(accountId: string): Promise<AuthorIdentity | undefined>;
}

export function cognitoAuthorDirectory(deps: {
  client: CognitoIdentityProviderClient;
  userPoolId: string;
}): AuthorDirectory {
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
