import { publicHttpHandler } from '#shared/http/public-handler.ts';
import { getReviewPolicy as operation } from '../contracts/summary.ts';
import { reviewPolicy } from '../domain/policy.ts';

const policy = reviewPolicy();

export const handler = publicHttpHandler(operation, async () => ({ status: 200, body: policy }));
