/**
 * The identity directory: the Cognito user pool, through its admin API (the function's role may
 * call only the actions its catalogue entry lists, on this pool only). In a pool signed in by
 * email, a user's username is its sub: the account id.
 */
import {
  AdminAddUserToGroupCommand,
  AdminDeleteUserAttributesCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminUpdateUserAttributesCommand,
  AdminUserGlobalSignOutCommand,
  type CognitoIdentityProviderClient,
  ListUsersCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { Identity } from '../domain/account.ts';
import { EmailTaken, type IdentityDirectory, type SignInSwitch } from '../ports.ts';

const isNotFound = (error: unknown) => (error as Error).name === 'UserNotFoundException';

/** A value inside a ListUsers filter's quotes (`email = "…"`): quotes and backslashes escaped. */
const filterValue = (value: string) => value.replace(/["\\]/g, (c) => `\\${c}`);

export function cognitoDirectory(deps: {
  client: CognitoIdentityProviderClient;
  userPoolId: string;
}): IdentityDirectory & SignInSwitch {
  const pool = { UserPoolId: deps.userPoolId };

  /**
   * Whether a user other than `accountId` has `email`. Cognito refuses such an update itself
   * (AliasExistsException: the pool signs in by email) but cognito-local does not, so the
   * directory asks first, in both: ListUsers filtered on the address (exact match, as given and in
   * lower case, the form sign-up stores), two users at most, their sub only.
   */
  async function emailTakenByAnother(accountId: string, email: string): Promise<boolean> {
    for (const form of new Set([email, email.toLowerCase()])) {
      const page = await deps.client.send(
        new ListUsersCommand({ ...pool, Filter: `email = "${filterValue(form)}"`, AttributesToGet: ['sub'], Limit: 2 }),
      );
      const subs = (page.Users ?? []).map((user) => user.Attributes?.find((a) => a.Name === 'sub')?.Value);
      if (subs.some((sub) => sub !== accountId)) return true;
    }
    return false;
  }

  return {
    async get(accountId): Promise<Identity | undefined> {
      try {
        const user = await deps.client.send(new AdminGetUserCommand({ ...pool, Username: accountId }));
        return {
          accountId,
          attributes: Object.fromEntries((user.UserAttributes ?? []).map((a) => [a.Name ?? '', a.Value])),
          enabled: user.Enabled ?? false,
          status: user.UserStatus ?? 'UNKNOWN',
          ...(user.UserCreateDate ? { createdAt: new Date(user.UserCreateDate) } : {}),
        };
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },

    async update(accountId, changes) {
      const set = Object.entries(changes.set);
      const email = changes.set.email;
      if (email !== undefined && (await emailTakenByAnother(accountId, email))) {
        throw new EmailTaken('Email address in use');
      }
      try {
        if (set.length > 0) {
          await deps.client.send(
            new AdminUpdateUserAttributesCommand({
              ...pool,
              Username: accountId,
              UserAttributes: set.map(([Name, Value]) => ({ Name, Value })),
            }),
          );
        }
      } catch (error) {
        if ((error as Error).name === 'AliasExistsException') throw new EmailTaken('Email address in use');
        throw error;
      }
      if (changes.remove.length > 0) {
        await deps.client.send(
          new AdminDeleteUserAttributesCommand({
            ...pool,
            Username: accountId,
            UserAttributeNames: [...changes.remove],
          }),
        );
      }
    },

    async disable(accountId) {
      try {
        await deps.client.send(new AdminDisableUserCommand({ ...pool, Username: accountId }));
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    },

    async signOutEverywhere(accountId) {
      try {
        await deps.client.send(new AdminUserGlobalSignOutCommand({ ...pool, Username: accountId }));
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    },

    async enable(accountId) {
      try {
        await deps.client.send(new AdminEnableUserCommand({ ...pool, Username: accountId }));
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    },

    async remove(accountId) {
      try {
        await deps.client.send(new AdminDeleteUserCommand({ ...pool, Username: accountId }));
        return 'deleted';
      } catch (error) {
        if (isNotFound(error)) return 'absent';
        throw error;
      }
    },

    async addToGroup(accountId, group) {
      await deps.client.send(new AdminAddUserToGroupCommand({ ...pool, Username: accountId, GroupName: group }));
    },

    async *unconfirmedSince(cutoff) {
      let token: string | undefined;
      do {
        const page = await deps.client.send(
          new ListUsersCommand({
            ...pool,
            Filter: 'cognito:user_status = "UNCONFIRMED"',
            AttributesToGet: ['sub'],
            Limit: 60,
            PaginationToken: token,
          }),
        );
        yield (page.Users ?? [])
          .filter((user) => user.Username && user.UserCreateDate && new Date(user.UserCreateDate) < cutoff)
          .map((user) => user.Username as string);
        token = page.PaginationToken;
      } while (token);
    },
  };
}
