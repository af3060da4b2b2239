/**
 * `npm run rights-requests -- <command>`: the DPO's register of rights requests (ADR 0017) from
 * the command line, through the same use cases as the `/privacy/rights-requests` routes, on a
 * running local cloud (its tables, bus, mail and user pool). Prints the request(s) as JSON.
 *
 *   list                                                     the open requests, nearest deadline first
 *   show <id>
 *   record --type access --channel post --received-on 2026-12-01 (--email a@b.fr | --account <id>)
 *   identity-check <id> --verified yes|no --method signed-identity-proof|email-of-the-account|other
 *   extend <id> --months 1|2 --reason "…"                    the subject is mailed the reason
 *   answer <id> --answered-on 2026-12-20 --outcome granted|partially-granted|refused|no-data|identity-not-verified
 *
 * `--dpo <name or account id>` names who acts (recorded with the change; `cli` by default).
 * The local cloud: `--ready <file>` (or MPBE_READY_FILE) for the one that wrote it, else npm
 * start's ports (MPBE_*_PORT as for npm start). Exit 0 done, 1 refused or failed, 2 bad usage.
 */
import { CognitoIdentityProviderClient, ListUserPoolsCommand } from '@aws-sdk/client-cognito-identity-provider';
import type { z } from 'zod';
import { localCloudEnv } from './cli-env.ts';
import { POOL_NAME } from './services/cognito.ts';

const args = process.argv.slice(2);
const flag = (name: string) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : undefined;
};
const usage = (message: string): never => {
  console.error(`✖ ${message}`);
  console.error(
    'Usage: see the header of local/rights-requests-cli.ts (npm run rights-requests -- list | show | record | identity-check | extend | answer)',
  );
  process.exit(2);
};

/** The local cloud's environment, and its user pool by name when nobody gave its id (npm start's). */
async function cloudEnv(): Promise<Record<string, string>> {
  const env = localCloudEnv();
  if (env.COGNITO_USER_POOL_ID) return env;
  const client = new CognitoIdentityProviderClient({
    region: 'eu-west-3',
    endpoint: env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const pools = await client.send(new ListUserPoolsCommand({ MaxResults: 60 })).catch(() => undefined);
  const id = process.env.COGNITO_USER_POOL_ID ?? pools?.UserPools?.find((p) => p.Name === POOL_NAME)?.Id;
  return id ? { ...env, COGNITO_USER_POOL_ID: id } : env;
}

/** Parses with the route's own schema; a field error is a usage error naming the field. */
function parsed<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    usage(result.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; '));
  }
  return (result as { data: z.infer<S> }).data;
}

if (import.meta.main) {
  const [command, id] = args;
  Object.assign(process.env, await cloudEnv());
  const contract = await import('#functions/privacy/contract.ts');
  const { requestDeps, extensionDeps } = await import('#functions/privacy/composition.ts');
  const cases = await import('#functions/privacy/use-cases.ts');
  const dpo = flag('dpo') ?? 'cli';
  const requestId = () => parsed(contract.getRightsRequest.pathParameters!, { requestId: id }).requestId;
  try {
    let result: unknown;
    switch (command) {
      case 'list':
        result = await cases.listOpenRightsRequests(requestDeps());
        break;
      case 'show':
        result = await cases.getRightsRequest(requestDeps(), requestId());
        break;
      case 'record': {
        const email = flag('email');
        const account = flag('account');
        const input = parsed(contract.recordRightsRequest.body!, {
          type: flag('type'),
          channel: flag('channel'),
          receivedOn: flag('received-on'),
          subject: email ? { email } : { accountId: account },
        });
        result = await cases.recordRightsRequest(requestDeps(), dpo, input);
        break;
      }
      case 'identity-check': {
        const input = parsed(contract.checkRightsRequestIdentity.body!, {
          verified: flag('verified') === 'yes' ? true : flag('verified') === 'no' ? false : undefined,
          method: flag('method'),
        });
        result = await cases.checkRightsRequestIdentity(requestDeps(), dpo, requestId(), input);
        break;
      }
      case 'extend': {
        const input = parsed(contract.extendRightsRequest.body!, {
          months: Number(flag('months')),
          reason: flag('reason'),
        });
        result = await cases.extendRightsRequest(extensionDeps(), dpo, requestId(), input);
        break;
      }
      case 'answer': {
        const input = parsed(contract.answerRightsRequest.body!, {
          answeredOn: flag('answered-on'),
          outcome: flag('outcome'),
        });
        result = await cases.answerRightsRequest(requestDeps(), dpo, requestId(), input);
        break;
      }
      default:
        usage(`unknown command ${command ?? '(none)'}`);
    }
    console.log(JSON.stringify(result, null, 2));
    process.exit(0);
  } catch (error) {
    const status = (error as { status?: number }).status;
    console.error(
      status
        ? `✖ Refused (${status}): ${(error as Error).message}`
        : `✖ Failed: ${(error as Error).name}: ${(error as Error).message}\n  Is the local cloud running (npm start)?`,
    );
    process.exit(1);
  }
}
