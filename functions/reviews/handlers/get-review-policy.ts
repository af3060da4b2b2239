import { httpHandler } from '#shared/http/handler.ts';
import { getReviewPolicy as operation } from '../contracts/summary.ts';
import { reviewPolicy } from '../domain/policy.ts';

const policy = reviewPolicy();

export const handler = httpHandler(operation, async () => ({ status: 200, body: policy }));
