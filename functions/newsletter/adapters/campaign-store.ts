/**
 * Campaigns in the newsletter table (`CAMPAIGN#<cmp>` / `CAMPAIGN`, no personal data): created as
 * drafts, started once, their progress saved after each batch on condition of the version read,
 * so that two runs of one campaign (a duplicated event) never both move it.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { plainItem } from '#shared/dynamo/items.ts';
import type { Campaign } from '../domain/campaign.ts';
import { campaignEntity } from '../entities.ts';

export interface CampaignProgress {
  readonly cursor: string | undefined;
  readonly sent: number;
  readonly failed: number;
  readonly done: boolean;
}

export interface CampaignStore {
  create(campaign: Campaign): Promise<void>;
  get(id: string): Promise<Campaign | undefined>;
  /** draft → sending; the campaign as started, or why not. */
  start(id: string, now: Date): Promise<Campaign | 'not-found' | 'not-draft'>;
  /** Adds a batch's counts and moves the cursor, if the campaign is still at `version`; undefined otherwise. */
  saveProgress(campaign: Campaign, progress: CampaignProgress, now: Date): Promise<Campaign | undefined>;
}

const key = (id: string) => ({ pk: `CAMPAIGN#${id}`, sk: 'CAMPAIGN' });

const conditionFailed = (error: unknown) => (error as Error).name === 'ConditionalCheckFailedException';

function campaignOf(item: Record<string, unknown>): Campaign {
  return {
    id: String(item.id),
    subject: String(item.subject),
    text: String(item.text),
    html: String(item.html),
    links: (item.links as string[] | undefined) ?? [],
    state: item.state as Campaign['state'],
    createdAt: String(item.createdAt),
    ...(item.startedAt ? { startedAt: String(item.startedAt) } : {}),
    ...(item.finishedAt ? { finishedAt: String(item.finishedAt) } : {}),
    sent: Number(item.sent ?? 0),
    failed: Number(item.failed ?? 0),
    ...(item.cursor ? { cursor: String(item.cursor) } : {}),
    version: Number(item.version),
  };
}

export function dynamoCampaignStore(deps: { client: DynamoDBDocumentClient; tableName: string }): CampaignStore {
  const { client, tableName } = deps;
  const get = async (id: string) => {
    const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: key(id), ConsistentRead: true }));
    return Item?.entity === campaignEntity.name ? campaignOf(Item) : undefined;
  };
  return {
    async create(campaign) {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: plainItem(campaignEntity, { ...key(campaign.id), ...campaign }),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    },

    get,

    async start(id, now) {
      try {
        const { Attributes } = await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(id),
            UpdateExpression: 'SET #state = :sending, startedAt = :now, version = version + :one',
            ConditionExpression: '#entity = :campaign AND #state = :draft',
            ExpressionAttributeNames: { '#state': 'state', '#entity': 'entity' },
            ExpressionAttributeValues: {
              ':sending': 'sending',
              ':draft': 'draft',
              ':campaign': campaignEntity.name,
              ':now': now.toISOString(),
              ':one': 1,
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return campaignOf(Attributes ?? {});
      } catch (error) {
        if (!conditionFailed(error)) throw error;
        return (await get(id)) ? 'not-draft' : 'not-found';
      }
    },

    async saveProgress(campaign, progress, now) {
      try {
        const { Attributes } = await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(campaign.id),
            UpdateExpression: [
              'SET sent = sent + :sent, failed = failed + :failed, version = version + :one',
              progress.cursor ? ', #cursor = :cursor' : '',
              progress.done ? ', #state = :sent_state, finishedAt = :now' : '',
            ].join(''),
            ConditionExpression: 'version = :version AND #state = :sending',
            ExpressionAttributeNames: {
              '#state': 'state',
              ...(progress.cursor ? { '#cursor': 'cursor' } : {}),
            },
            ExpressionAttributeValues: {
              ':sent': progress.sent,
              ':failed': progress.failed,
              ':one': 1,
              ':version': campaign.version,
              ':sending': 'sending',
              ...(progress.cursor ? { ':cursor': progress.cursor } : {}),
              ...(progress.done ? { ':sent_state': 'sent', ':now': now.toISOString() } : {}),
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return campaignOf(Attributes ?? {});
      } catch (error) {
        if (conditionFailed(error)) return undefined;
        throw error;
      }
    },
  };
}
