/**
 * The environment the command-line tools (`npm run purge`, `transparency-report`,
 * `rights-requests`) give the composition roots they load, as Lambda would: the resources of a
 * running local cloud. From the ready file it wrote (`--ready <file>` or MPBE_READY_FILE), else
 * npm start's defaults on its ports (MPBE_*_PORT, as for npm start); a variable the caller's
 * environment sets wins (a test passes its cloud's).
 */
import { readFileSync } from 'node:fs';
import { type TableDefinition, tables } from '#shared/tables.ts';
import { physicalTableName } from './services/dynamodb.ts';
import { LOCAL_BUS_NAME, LOCAL_MAIL } from './wiring.ts';

export function localCloudEnv(argv: readonly string[] = process.argv): Record<string, string> {
  const flag = argv.indexOf('--ready');
  const readyFile = flag >= 0 ? argv[flag + 1] : process.env.MPBE_READY_FILE;
  if (readyFile) return (JSON.parse(readFileSync(readyFile, 'utf8')) as { env: Record<string, string> }).env;
  const port = (name: string, fallback: number) => Number(process.env[`MPBE_${name}_PORT`] ?? fallback);
  const defaults: Record<string, string> = {
    AWS_REGION: 'eu-west-3',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${port('DYNAMODB', 8000)}`,
    AWS_ENDPOINT_URL_EVENTBRIDGE: `http://127.0.0.1:${port('AWS', 4010)}`,
    AWS_ENDPOINT_URL_SES: `http://127.0.0.1:${port('SES', 8005)}`,
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: `http://127.0.0.1:${port('COGNITO', 9229)}`,
    EVENT_BUS_NAME: LOCAL_BUS_NAME,
    MAIL_FROM: LOCAL_MAIL.from,
    PLATFORM_INBOX: LOCAL_MAIL.platformInbox,
    ...Object.fromEntries(
      (Object.values(tables) as TableDefinition[]).map((t) => [t.envVar, physicalTableName('mpbe-local-', t)]),
    ),
  };
  return Object.fromEntries(Object.entries(defaults).map(([name, value]) => [name, process.env[name] ?? value]));
}
