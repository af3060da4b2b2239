/**
 * DynamoDB transactions that a condition decides: a TransactionConflict (another transaction on
 * the same items at that instant; both may be cancelled) is no answer, so it is retried with full
 * jitter until a condition, or success, decides.
 */
import {
  type DynamoDBDocumentClient,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Why a transaction was cancelled, item by item ('None' for the items that were fine). */
function cancellationReasons(error: unknown): string[] | undefined {
  if (error instanceof Error && error.name === 'TransactionCanceledException') {
    const reasons = (error as Error & { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
    return (reasons ?? []).map((r) => r.Code ?? 'None');
  }
  return undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs a transaction until a condition decides it: committed, or the reasons item by item. */
export async function transact(
  client: DynamoDBDocumentClient,
  items: TransactItem[],
): Promise<{ committed: true } | { committed: false; reasons: string[] }> {
  for (let attempt = 0; ; attempt++) {
    try {
      await client.send(new TransactWriteCommand({ TransactItems: items }));
      return { committed: true };
    } catch (error) {
      const reasons = cancellationReasons(error);
      const conflict =
        (reasons?.includes('TransactionConflict') && !reasons.includes('ConditionalCheckFailed')) ||
        (error instanceof Error && error.name === 'TransactionInProgressException');
      if (conflict && attempt < 12) {
        await sleep(Math.random() * Math.min(1000, 20 * 2 ** attempt));
        continue;
      }
      if (reasons) return { committed: false, reasons };
      throw error;
    }
  }
}
