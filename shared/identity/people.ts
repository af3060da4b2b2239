/**
 * People's identity, from the Cognito user pool (AdminGetUser, by the account id: in a pool signed
 * in by email the username is the sub): the first and last names a display name is made of, and
 * the email mails go to. An id without a user (an erased account, a demo practitioner of the local
 * seed) has no identity. Nothing here is logged.
 */
import { type CognitoIdentityProviderClient, ListUsersCommand } from '@aws-sdk/client-cognito-identity-provider';
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

/** The account an email address signs in to, if any (ListUsers filtered on it, exact and lower case). */
export interface AccountFinder {
  accountOfEmail(email: string): Promise<string | undefined>;
}

/** A value inside a ListUsers filter's quotes (`email = "…"`): quotes and backslashes escaped. */
export const listUsersFilterValue = (value: string) => value.replace(/["\\]/g, (c) => `\\${c}`);

export function cognitoAccountFinder(deps: {
  client: CognitoIdentityProviderClient;
  userPoolId: string;
}): AccountFinder {
  return {
    async accountOfEmail(email) {
      for (const form of new Set([email.trim(), email.trim().toLowerCase()])) {
        const { Users } = await deps.client.send(
          new ListUsersCommand({
            UserPoolId: deps.userPoolId,
            Filter: `email = "${listUsersFilterValue(form)}"`,
            AttributesToGet: ['sub'],
            Limit: 2,
          }),
        );
        const sub = Users?.[0]?.Attributes?.find((a) => a.Name === 'sub')?.Value ?? Users?.[0]?.Username;
        if (sub) return sub;
      }
      return undefined;
    },
  };
}
