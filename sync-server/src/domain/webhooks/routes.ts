import type { FastifyPluginCallback } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError, newId, Permission } from '@echora/shared';
import {
  eventDeliveryListSchema,
  eventSubscriptionCreatedSchema,
  eventSubscriptionCreateSchema,
  eventSubscriptionListSchema,
  eventSubscriptionParamsSchema,
  eventSubscriptionPatchSchema,
  eventSubscriptionSchema,
  MAX_EVENT_SUBSCRIPTIONS,
} from '@echora/shared/protocol/rest/webhooks';
import { KeyedLimiter } from '../../limits/token-bucket.ts';
import { OutboundRefused } from '../../net/address-policy.ts';
import { writeAudit } from '../audit/log.ts';
import { Access } from '../permissions/access.ts';
import { actorOf, requirePermission } from '../permissions/guard.ts';
import { loadAccess } from '../permissions/load.ts';
import {
  deliveryLog,
  findSubscription,
  insertSubscription,
  listSubscriptions,
  setEnabled,
} from './queries.ts';
import { newSecret } from './signature.ts';

/** Changes per manager and node: setting up a few apps by hand stays far below. */
export const WEBHOOK_WRITES_PER_MINUTE = 20;

/**
 * `/api/webhooks/outgoing`: managers (manage community) subscribe app URLs
 * to events, turn them off and on, and read each one's delivery log.
 */
export const outgoingWebhookRoutes: FastifyPluginCallback = (base, _options, done) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const limiter = new KeyedLimiter(WEBHOOK_WRITES_PER_MINUTE, 60_000);
  const manager = async (userId: string): Promise<Access> => {
    const access = new Access(await loadAccess(app.db));
    actorOf(access, userId);
    requirePermission(access.base(userId), Permission.manageCommunity);
    return access;
  };
  const take = (userId: string) => {
    const wait = limiter.take(userId);
    if (wait > 0) throw new AppError('rate_limited', 'Changing webhooks too fast.', wait);
  };
  const auth = { preHandler: app.authenticate };

  app.get(
    '/webhooks/outgoing',
    { ...auth, schema: { response: { 200: eventSubscriptionListSchema } } },
    async (req) => {
      await manager(req.user.id);
      return { subscriptions: await listSubscriptions(app.db) };
    },
  );

  app.post(
    '/webhooks/outgoing',
    {
      ...auth,
      schema: {
        body: eventSubscriptionCreateSchema,
        response: { 201: eventSubscriptionCreatedSchema },
      },
    },
    async (req, reply) => {
      const access = await manager(req.user.id);
      take(req.user.id);
      const channelIds = req.body.channelIds ?? [];
      for (const id of channelIds) {
        if (!access.canSeeChannel(req.user.id, id) || access.dmParticipants(id)) {
          throw new AppError('invalid', `channelIds: no channel ${id} you can read`);
        }
      }
      // Refused now rather than at the first delivery: a private or unresolvable target.
      try {
        await app.outbound.policy.vet(new URL(req.body.url).hostname);
      } catch (err) {
        if (err instanceof OutboundRefused) throw new AppError('invalid', `url: ${err.reason}`);
        throw new AppError('invalid', 'url: not a URL');
      }
      const secret = newSecret();
      const created = await app.db.transaction(async (tx) => {
        const { rows } = await tx.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM event_subscriptions',
        );
        if ((rows[0]?.n ?? 0) >= MAX_EVENT_SUBSCRIPTIONS) {
          throw new AppError('too_large', `At most ${MAX_EVENT_SUBSCRIPTIONS} outgoing webhooks.`);
        }
        const subscription = await insertSubscription(tx, {
          id: newId(),
          name: req.body.name.trim() || 'webhook',
          url: req.body.url,
          secret,
          events: req.body.events,
          channelIds,
          createdBy: req.user.id,
        });
        await writeAudit(tx, {
          actorId: req.user.id,
          action: 'webhook.create',
          data: { id: subscription.id, name: subscription.name, events: subscription.events },
        });
        return subscription;
      });
      return reply.status(201).send({ ...created, secret });
    },
  );

  app.patch(
    '/webhooks/outgoing/:id',
    {
      ...auth,
      schema: {
        params: eventSubscriptionParamsSchema,
        body: eventSubscriptionPatchSchema,
        response: { 200: eventSubscriptionSchema },
      },
    },
    async (req) => {
      await manager(req.user.id);
      take(req.user.id);
      const updated = await app.db.transaction(async (tx) => {
        if (!(await setEnabled(tx, req.params.id, req.body.enabled))) return undefined;
        await writeAudit(tx, {
          actorId: req.user.id,
          action: req.body.enabled ? 'webhook.enable' : 'webhook.disable',
          data: { id: req.params.id },
        });
        return findSubscription(tx, req.params.id);
      });
      if (!updated) throw new AppError('not_found', 'No such webhook.');
      return updated;
    },
  );

  app.delete(
    '/webhooks/outgoing/:id',
    { ...auth, schema: { params: eventSubscriptionParamsSchema } },
    async (req, reply) => {
      await manager(req.user.id);
      take(req.user.id);
      const deleted = await app.db.transaction(async (tx) => {
        const result = await tx.query('DELETE FROM event_subscriptions WHERE id = $1', [
          req.params.id,
        ]);
        if ((result.rowCount ?? 0) === 0) return false;
        await writeAudit(tx, {
          actorId: req.user.id,
          action: 'webhook.delete',
          data: { id: req.params.id },
        });
        return true;
      });
      if (!deleted) throw new AppError('not_found', 'No such webhook.');
      return reply.status(204).send();
    },
  );

  app.get(
    '/webhooks/outgoing/:id/deliveries',
    {
      ...auth,
      schema: { params: eventSubscriptionParamsSchema, response: { 200: eventDeliveryListSchema } },
    },
    async (req) => {
      await manager(req.user.id);
      if (!(await findSubscription(app.db, req.params.id))) {
        throw new AppError('not_found', 'No such webhook.');
      }
      return { deliveries: await deliveryLog(app.db, req.params.id) };
    },
  );
  done();
};
