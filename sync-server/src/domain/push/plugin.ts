import type { FastifyInstance } from 'fastify';
import { defaultPushSenderOptions, PushSender, type PushSenderOptions } from './sender.ts';
import { PushNotifier } from './notifier.ts';
import type { PushRouteOptions } from './routes.ts';

/** Web Push tunables; tests use small numbers and a push service on loopback. */
export interface PushOptions extends PushSenderOptions {
  /** Tests only: accept subscriptions whose endpoint is http://127.0.0.1. */
  allowLoopbackHttp: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Web Push: `notify` for a new trigger (direct messages), `idle` for tests. */
    push: PushNotifier;
  }
}

/**
 * Web Push to devices of people not connected: sends after each commit that
 * wrote a mention (off the write path). Needs the sync engine (`app.sync`).
 * Returns the options of `pushRoutes`, which the caller registers under `/api`.
 */
export function registerPush(
  app: FastifyInstance,
  options: Partial<PushOptions> = {},
): PushRouteOptions {
  const { allowLoopbackHttp = false, ...senderOptions } = options;
  const { config, db } = app;
  const sender = new PushSender(
    db,
    { ...config.vapidKeys, subject: config.vapidSubject },
    (obj, msg) => app.log.warn(obj, msg),
    app.outbound,
    { ...defaultPushSenderOptions, ...senderOptions },
  );
  const { deps } = app.sync;
  const notifier = new PushNotifier(db, deps.access, deps.presence, sender, (obj, msg) =>
    app.log.error(obj, msg),
  );
  app.decorate('push', notifier);
  const listener = notifier.committed.bind(notifier);
  app.writer.committed.add(listener);
  app.addHook('preClose', async () => {
    app.writer.committed.delete(listener);
    await notifier.idle();
  });
  return { publicKey: config.vapidKeys.publicKey, allowLoopbackHttp };
}
