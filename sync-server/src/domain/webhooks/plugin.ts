import type { FastifyInstance } from 'fastify';
import { defaultDeliveryOptions, DeliveryWorker, type DeliveryOptions } from './worker.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** This node's share of the outgoing webhook queue (`runOnce` for tests). */
    webhookDeliveries: DeliveryWorker;
  }
}

/** Starts this node's delivery worker once the app is ready; stops it on close. */
export function registerWebhookDeliveries(
  app: FastifyInstance,
  options: Partial<DeliveryOptions> = {},
): void {
  const worker = new DeliveryWorker(app.db, app.outbound, (obj, msg) => app.log.warn(obj, msg), {
    ...defaultDeliveryOptions,
    ...options,
  });
  app.decorate('webhookDeliveries', worker);
  app.addHook('onReady', (done) => {
    worker.start();
    done();
  });
  app.addHook('preClose', async () => {
    await worker.stop();
  });
}
