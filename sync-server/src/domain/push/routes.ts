import type { FastifyPluginCallback } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError } from '@echora/shared';
import {
  pushKeySchema,
  pushRenewBodySchema,
  pushSubscribeBodySchema,
  pushSubscriptionParamsSchema,
  pushSubscriptionSchema,
} from '@echora/shared/protocol/rest/push';
import { KeyedLimiter } from '../../limits/token-bucket.ts';
import { endpointProblem } from './endpoint.ts';
import { deleteSubscription, renewSubscription, saveSubscription } from './subscriptions.ts';

/** Subscribes and unsubscribes per user and node: a device toggling by hand stays far below. */
export const PUSH_WRITES_PER_MINUTE = 20;

export interface PushRouteOptions {
  publicKey: string;
  /** Tests only: accept a push service on http://127.0.0.1. */
  allowLoopbackHttp: boolean;
}

/** `/api/push`: the VAPID public key, and this device's subscription. Register under `/api`. */
export const pushRoutes: FastifyPluginCallback<PushRouteOptions> = (base, options, done) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const auth = { preHandler: app.authenticate };
  const limiter = new KeyedLimiter(PUSH_WRITES_PER_MINUTE, 60_000);
  const take = (key: string) => {
    const wait = limiter.take(key);
    if (wait > 0) throw new AppError('rate_limited', 'Changing notifications too fast.', wait);
  };

  app.get('/push/key', { ...auth, schema: { response: { 200: pushKeySchema } } }, () => ({
    publicKey: options.publicKey,
  }));

  app.post(
    '/push/subscriptions',
    {
      ...auth,
      schema: { body: pushSubscribeBodySchema, response: { 201: pushSubscriptionSchema } },
    },
    async (req, reply) => {
      const problem = endpointProblem(
        req.body.endpoint,
        app.outbound.policy,
        options.allowLoopbackHttp,
      );
      if (problem) throw new AppError('invalid', problem);
      take(req.user.id);
      const id = await saveSubscription(app.db, req.user.id, req.body);
      return reply.status(201).send({ id });
    },
  );

  // No session here: the service worker renews on its own. The old endpoint and
  // its auth secret prove the device; limited per address as well as per device.
  app.post(
    '/push/renew',
    { schema: { body: pushRenewBodySchema, response: { 200: pushSubscriptionSchema } } },
    async (req) => {
      const problem = endpointProblem(
        req.body.subscription.endpoint,
        app.outbound.policy,
        options.allowLoopbackHttp,
      );
      if (problem) throw new AppError('invalid', problem);
      take(`ip:${req.ip}`);
      const id = await renewSubscription(app.db, req.body);
      if (!id) throw new AppError('not_found', 'No such subscription.');
      return { id };
    },
  );

  app.delete(
    '/push/subscriptions/:id',
    { ...auth, schema: { params: pushSubscriptionParamsSchema } },
    async (req, reply) => {
      take(req.user.id);
      // Someone else's subscription is "not found" too: ids are not a way to probe.
      if (!(await deleteSubscription(app.db, req.user.id, req.params.id))) {
        throw new AppError('not_found', 'No such subscription.');
      }
      return reply.status(204).send();
    },
  );
  done();
};
