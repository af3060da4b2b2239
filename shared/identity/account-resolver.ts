/**
 * The person behind a data subject, from the Cognito user pool (the retention context's erasure,
 * the privacy context's exports and recorded deaths): an erasure by email reaches the
 * accounts of that address (ListUsers filtered on it), and an erasure by account reaches its
 * address (AdminGetUser: the account item holds no email, ADR 0008); then the user goes
 * (AdminDeleteUser). In a pool signed in by email a user's username is its sub: the account id.
 * A function's role may call only the actions its catalogue entry grants, on this pool only (the
 * retention context's erasure all three; the privacy context finds accounts by email only).
 * Nothing here is logged.
 *
 * An address counts as an account's only when it is proven theirs: verified, or the one address
 * of a sign-up never confirmed. A confirmed user whose address is not verified is waiting for the
 * code of an email change (locally; in Cognito `keepOriginal` keeps the old address until then):
 * the new address may be someone else's, whose erasure must not take this account.
 */
import {
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  type AttributeType,
  type CognitoIdentityProviderClient,
  ListUsersCommand,
} from '@aws-sdk/client-cognito-identity-provider';

export interface CognitoAccount {
  readonly accountId: string;
  /** The address of the account, when it is proven theirs. */
  readonly email?: string;
}

export interface AccountResolver {
  /** The accounts whose Cognito user has this address as theirs; none when nobody has it. */
  withEmail(email: string): Promise<string[]>;
  /** The account's Cognito user (with its address when proven theirs), or undefined when it has none. */
  byId(accountId: string): Promise<CognitoAccount | undefined>;
  /** Deletes the account's Cognito user: 'absent' when there was none (already gone). */
  removeUser(accountId: string): Promise<'deleted' | 'absent'>;
}

/** A value inside a ListUsers filter's quotes (`email = "…"`): quotes and backslashes escaped. */
export const filterValue = (value: string) => value.replace(/["\\]/g, (c) => `\\${c}`);

const isNotFound = (error: unknown) => (error as Error).name === 'UserNotFoundException';
const attribute = (attributes: AttributeType[] | undefined, name: string) =>
  attributes?.find((a) => a.Name === name)?.Value;

/** The user's address if it is theirs: verified, or a sign-up never confirmed (its only address). */
function provenEmail(attributes: AttributeType[] | undefined, status: string | undefined): string | undefined {
  const email = attribute(attributes, 'email');
  if (!email) return undefined;
  return status === 'UNCONFIRMED' || attribute(attributes, 'email_verified') === 'true' ? email : undefined;
}

export function cognitoAccountResolver(deps: {
  client: CognitoIdentityProviderClient;
  userPoolId: string;
}): AccountResolver {
  const pool = { UserPoolId: deps.userPoolId };
  return {
    async withEmail(email) {
      const found = new Set<string>();
      // Exact match, as given and in lower case (the form sign-up stores): Cognito compares as is.
      for (const form of new Set([email.trim(), email.trim().toLowerCase()])) {
        let token: string | undefined;
        do {
          const page = await deps.client.send(
            new ListUsersCommand({
              ...pool,
              Filter: `email = "${filterValue(form)}"`,
              AttributesToGet: ['sub', 'email', 'email_verified'],
              Limit: 60,
              PaginationToken: token,
            }),
          );
          for (const user of page.Users ?? []) {
            const accountId = attribute(user.Attributes, 'sub') ?? user.Username;
            if (accountId && provenEmail(user.Attributes, user.UserStatus)) found.add(accountId);
          }
          token = page.PaginationToken;
        } while (token);
      }
      return [...found];
    },

    async byId(accountId) {
      try {
        const user = await deps.client.send(new AdminGetUserCommand({ ...pool, Username: accountId }));
        const email = provenEmail(user.UserAttributes, user.UserStatus);
        return { accountId, ...(email ? { email } : {}) };
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },

    async removeUser(accountId) {
      try {
        await deps.client.send(new AdminDeleteUserCommand({ ...pool, Username: accountId }));
        return 'deleted';
      } catch (error) {
        if (isNotFound(error)) return 'absent';
        throw error;
      }
    },
  };
}
