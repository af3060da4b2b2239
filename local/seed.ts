/** Demo data for a fresh local cloud: a few published practitioners. Idempotent (fixed ids). */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoPractitionerStore } from '#functions/practitioners/adapters/practitioner-store.ts';
import { demoPractitioners } from '#functions/practitioners/demo-practitioners.ts';
import { localDynamoClient } from './services/dynamodb.ts';

export async function seedDemoData(options: { dynamoEndpoint: string; tableNames: Record<string, string>; now: Date }) {
  const client = DynamoDBDocumentClient.from(localDynamoClient(options.dynamoEndpoint));
  try {
    const store = dynamoPractitionerStore({ client, tableName: options.tableNames.TABLE_PRACTITIONERS! });
    const practitioners = demoPractitioners(options.now);
    for (const p of practitioners) await store.save(p);
    return { practitioners: practitioners.length };
  } finally {
    client.destroy();
  }
}
