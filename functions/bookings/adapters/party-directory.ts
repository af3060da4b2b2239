/**
 * The parties' contact details, from the Cognito user pool (AdminGetUser, the one identity action
 * the notification functions are granted): email and names of an account, by its id (in a pool
 * signed in by email, the username is the sub: the account id). An id with no user (a demo
 * practitioner of the local seed, an erased account) has no contact. Nothing here is logged.
 */
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { cognitoUserAttributes } from '#shared/identity/cognito-user.ts';
import type { Contact, PartyDirectory } from '../notifications/use-cases.ts';

export function cognitoPartyDirectory(deps: {
  client: CognitoIdentityProviderClient;
  userPoolId: string;
}): PartyDirectory {
  return {
    async contactOf(accountId) {
      const attributes = await cognitoUserAttributes(deps, accountId);
      const email = attributes?.email;
      if (!email) return undefined;
      const contact: Contact = {
        email,
        ...(attributes?.given_name ? { firstName: attributes.given_name } : {}),
        ...(attributes?.family_name ? { lastName: attributes.family_name } : {}),
      };
      return contact;
    },
  };
}
