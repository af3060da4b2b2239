/** The practitioners context's use cases. */
import type { Clock } from '#shared/clock.ts';
import type { PractitionerStore } from './adapters/practitioner-store.ts';

export async function listPublishedPractitioners(
  deps: { store: PractitionerStore; clock: Clock },
  query: { limit: number; cursor?: string | undefined },
) {
  const page = await deps.store.listPublished({
    limit: query.limit,
    ...(query.cursor ? { cursor: query.cursor } : {}),
    now: deps.clock.now(),
  });
  return {
    items: page.items.map((p) => ({
      id: p.id,
      displayName: p.displayName,
      headline: p.headline,
      specialties: [...p.specialties],
      ...(p.city ? { city: p.city } : {}),
      ...(p.postcode ? { postcode: p.postcode } : {}),
      offersVideo: p.offersVideo,
    })),
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  };
}
