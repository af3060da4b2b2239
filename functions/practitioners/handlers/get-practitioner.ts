import { publicHttpHandler } from '#shared/http/public-handler.ts';
import { publicProfileDeps } from '../composition.ts';
import { getPractitioner as operation } from '../contract.ts';
import { getPublicProfile } from '../use-cases.ts';

const deps = publicProfileDeps();

export const handler = publicHttpHandler(operation, async ({ pathParameters }) => ({
  status: 200,
  body: await getPublicProfile(deps, pathParameters.practitionerId),
}));
