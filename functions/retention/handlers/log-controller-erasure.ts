/** ClientAppointmentsErased: the keys a practitioner erased join the erasure log (replayed after a restore). */
import { ClientAppointmentsErased } from '#events/catalogue.ts';
import { eventHandler } from '#shared/events/consumer.ts';
import { logger } from '#shared/logger.ts';
import { controllerErasureDeps } from '../composition-holds.ts';
import { logControllerErasure } from '../erasure.ts';

const deps = controllerErasureDeps();

export const handler = eventHandler(ClientAppointmentsErased, async (data, metadata) => {
  const logged = await logControllerErasure(deps, data, new Date(metadata.occurredAt));
  logger.info('Controller erasure logged', { erasureId: data.erasureId, part: data.part, keys: logged });
});
