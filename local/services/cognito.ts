/**
 * The Cognito emulator (cognito-local) as a child process, with the user pool, app client and
 * groups of our CDK user pool (infra) created on first start. Tokens are RS256 JWTs whose keys
 * are served at `<endpoint>/<userPoolId>/.well-known/jwks.json`, as Cognito does.
 *
 * As in AWS, the pool's PreSignUp and PostConfirmation triggers are our catalogue functions:
 * `.cognito/config.json` points cognito-local's Lambda client at the local AWS endpoint, which
 * runs them (local/aws-endpoint.ts). The pool declares the custom attributes of a sign-up
 * (custom:cgu_version, custom:account_type). cognito-local listens on a private port behind a
 * gate that refuses disabled users (sign-in and refresh), answers AdminUserGlobalSignOut and
 * verifies confirmed emails, as Cognito does (./cognito-gate.ts); the codes it prints instead of emailing are read from its console
 * (written synchronously: ./cognito-console.ts) for the mail bridge (./cognito-mail-bridge.ts).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AddCustomAttributesCommand,
  AdminGetUserCommand,
  AdminUpdateUserAttributesCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { functions, type IdentityTrigger } from '#functions/catalogue.ts';
import { roles } from '#shared/http/contract.ts';
import { freePort, waitFor } from '../ports.ts';
import { stopChild, tailOf } from './child-process.ts';
import { startCognitoGate } from './cognito-gate.ts';
import { type CodeDelivery, readCodeDeliveries } from './cognito-mail-bridge.ts';

export const POOL_NAME = 'mpbe-local';
const CLIENT_NAME = 'mpbe-web';

export interface CognitoLocal {
  readonly endpoint: string;
  readonly userPoolId: string;
  readonly clientId: string;
  /** The issuer of the pool's tokens (iss claim). */
  readonly issuer: string;
  readonly jwksUrl: string;
  /** The verification codes cognito-local prints instead of emailing; returns the unsubscribe. */
  onCodeDelivery(listener: (delivery: CodeDelivery) => void): () => void;
  /** The current email of a user (by username or sub), for the mail bridge. */
  currentEmail(username: string): Promise<string | undefined>;
  stop(): Promise<void>;
}

/** The custom attributes of our user pool (infra/constructs/identity.ts): immutable, set at sign-up. */
const CUSTOM_ATTRIBUTES = ['cgu_version', 'account_type'] as const;

/** Trigger → catalogue function, from the functions that declare themselves a pool trigger. */
export function triggerFunctions(): Partial<Record<IdentityTrigger, string>> {
  return Object.fromEntries(
    Object.entries(functions).flatMap(([name, definition]) =>
      definition.identity?.trigger ? [[definition.identity.trigger, name]] : [],
    ),
  );
}

export function localCognitoClient(endpoint: string): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    endpoint,
    region: 'eu-west-3',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

async function ensurePool(client: CognitoIdentityProviderClient): Promise<{ userPoolId: string; clientId: string }> {
  const pools = await client.send(new ListUserPoolsCommand({ MaxResults: 60 }));
  let userPoolId = pools.UserPools?.find((p) => p.Name === POOL_NAME)?.Id;
  if (!userPoolId) {
    const created = await client.send(
      new CreateUserPoolCommand({
        PoolName: POOL_NAME,
        UsernameAttributes: ['email'],
        AutoVerifiedAttributes: ['email'],
        Schema: CUSTOM_ATTRIBUTES.map((Name) => ({ Name, AttributeDataType: 'String', Mutable: false })),
        Policies: {
          PasswordPolicy: {
            MinimumLength: 12,
            RequireLowercase: true,
            RequireUppercase: true,
            RequireNumbers: true,
            RequireSymbols: true,
          },
        },
      }),
    );
    userPoolId = created.UserPool!.Id!;
    for (const role of roles) await client.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: role }));
  } else {
    // A pool kept from an earlier version (MPBE_DATA_DIR) gets the custom attributes it lacks.
    const { UserPool } = await client.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId }));
    const declared = new Set((UserPool?.SchemaAttributes ?? []).map((a) => a.Name));
    const missing = CUSTOM_ATTRIBUTES.filter((name) => !declared.has(`custom:${name}`));
    if (missing.length > 0) {
      await client.send(
        new AddCustomAttributesCommand({
          UserPoolId: userPoolId,
          CustomAttributes: missing.map((Name) => ({ Name, AttributeDataType: 'String', Mutable: false })),
        }),
      );
    }
  }
  const clients = await client.send(new ListUserPoolClientsCommand({ UserPoolId: userPoolId, MaxResults: 60 }));
  let clientId = clients.UserPoolClients?.find((c) => c.ClientName === CLIENT_NAME)?.ClientId;
  if (!clientId) {
    const created = await client.send(
      new CreateUserPoolClientCommand({
        UserPoolId: userPoolId,
        ClientName: CLIENT_NAME,
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }),
    );
    clientId = created.UserPoolClient!.ClientId!;
  }
  return { userPoolId, clientId };
}

export async function startCognitoLocal(options: {
  port: number;
  dataDir: string;
  /** The local AWS endpoint that runs the pool's triggers (Lambda Invoke API). */
  lambdaEndpoint: string;
}): Promise<CognitoLocal> {
  mkdirSync(join(options.dataDir, '.cognito'), { recursive: true });
  const endpoint = `http://127.0.0.1:${options.port}`;
  writeFileSync(
    join(options.dataDir, '.cognito', 'config.json'),
    JSON.stringify(
      {
        LambdaClient: {
          endpoint: options.lambdaEndpoint,
          region: 'eu-west-3',
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        },
        TriggerFunctions: triggerFunctions(),
        // Tokens name the gate's address, the one clients and the authorizer know.
        TokenConfig: { IssuerDomain: endpoint },
      },
      null,
      2,
    ),
  );
  const privatePort = await freePort();
  const entry = createRequire(import.meta.url).resolve('cognito-local/lib/bin/start.js');
  // Its console written synchronously, so that each code box reaches the mail bridge at once.
  const synchronousConsole = fileURLToPath(new URL('./cognito-console.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', synchronousConsole, entry], {
    cwd: options.dataDir,
    env: { ...process.env, PORT: String(privatePort), HOST: '127.0.0.1', DEBUG: '' },
    stdio: 'pipe',
  });
  const tail = tailOf(child);
  const listeners = new Set<(delivery: CodeDelivery) => void>();
  const stopReading = readCodeDeliveries(child.stdout!, (delivery) => {
    for (const listener of listeners) listener(delivery);
  });
  const client = localCognitoClient(`http://127.0.0.1:${privatePort}`);
  let userPoolId = '';
  const userOf = async (username: string) =>
    userPoolId ? client.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: username })) : undefined;
  let gate: Awaited<ReturnType<typeof startCognitoGate>> | undefined;
  const stop = async () => {
    stopReading();
    await gate?.close();
    await stopChild(child);
    client.destroy();
  };
  try {
    const pool = await waitFor('Cognito emulator', async () => {
      if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}: ${tail()}`);
      return ensurePool(client);
    });
    userPoolId = pool.userPoolId;
    gate = await startCognitoGate({
      port: options.port,
      upstreamPort: privatePort,
      userOf: async (name) => {
        const user = await userOf(name);
        return user?.Username ? { username: user.Username, enabled: user.Enabled !== false } : undefined;
      },
      userNamed: async (poolId, username) => {
        if (poolId !== userPoolId) return undefined;
        try {
          return (await userOf(username))?.Username;
        } catch (error) {
          if ((error as Error).name === 'UserNotFoundException') return undefined;
          throw error;
        }
      },
      signOutsFile: join(options.dataDir, '.cognito', 'global-sign-outs.json'),
      confirmed: async (username) => {
        const email = (await userOf(username))?.UserAttributes?.find((a) => a.Name === 'email')?.Value;
        if (!email) return;
        // cognito-local wants the email with its verification flag.
        await client.send(
          new AdminUpdateUserAttributesCommand({
            UserPoolId: userPoolId,
            Username: username,
            UserAttributes: [
              { Name: 'email', Value: email },
              { Name: 'email_verified', Value: 'true' },
            ],
          }),
        );
      },
    });
    const issuer = `${endpoint}/${userPoolId}`;
    return {
      endpoint,
      userPoolId,
      clientId: pool.clientId,
      issuer,
      jwksUrl: `${issuer}/.well-known/jwks.json`,
      onCodeDelivery(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      currentEmail: async (username) =>
        (await userOf(username).catch(() => undefined))?.UserAttributes?.find((a) => a.Name === 'email')?.Value,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
