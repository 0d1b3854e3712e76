import { Type, type Static } from 'typebox';
import { Uuid } from '../entities.ts';

/** Unpadded or padded base64url, as `PushSubscription.toJSON()` gives the keys. */
const base64url = (maxLength: number) =>
  Type.String({ minLength: 16, maxLength, pattern: '^[A-Za-z0-9_-]+={0,2}$' });

/** `GET /api/push/key`: the server's VAPID public key, for `PushManager.subscribe`. */
export const pushKeySchema = Type.Object({
  /** The uncompressed P-256 point, base64url (`applicationServerKey`). */
  publicKey: Type.String(),
});
export type PushKey = Static<typeof pushKeySchema>;

/**
 * `POST /api/push/subscriptions`: this device's subscription, as
 * `PushSubscription.toJSON()` gives it. The endpoint must be https (the server
 * refuses private and loopback hosts); the keys are the device's own.
 */
export const pushSubscribeBodySchema = Type.Object(
  {
    endpoint: Type.String({ minLength: 12, maxLength: 2048, pattern: '^https?://' }),
    keys: Type.Object(
      {
        /** The device's P-256 public key (65 bytes). */
        p256dh: base64url(100),
        /** The device's auth secret (16 bytes). */
        auth: base64url(40),
      },
      { additionalProperties: false },
    ),
    // Browsers send it (always null so far); it is ignored.
    expirationTime: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
  },
  { additionalProperties: false },
);
export type PushSubscribeBody = Static<typeof pushSubscribeBodySchema>;

/**
 * `POST /api/push/renew`: the push service replaced a device's subscription
 * (`pushsubscriptionchange` in the service worker, which holds no session).
 * The old endpoint with its auth secret — known only to that browser and this
 * server — stands for the device; the new subscription takes its place.
 */
export const pushRenewBodySchema = Type.Object(
  {
    old: Type.Object(
      {
        endpoint: Type.String({ minLength: 12, maxLength: 2048, pattern: '^https?://' }),
        auth: base64url(40),
      },
      { additionalProperties: false },
    ),
    subscription: pushSubscribeBodySchema,
  },
  { additionalProperties: false },
);
export type PushRenewBody = Static<typeof pushRenewBodySchema>;

/** The stored subscription's id: the device keeps it to unsubscribe. */
export const pushSubscriptionSchema = Type.Object({ id: Uuid });
export type PushSubscriptionRef = Static<typeof pushSubscriptionSchema>;

/** `DELETE /api/push/subscriptions/:id`: only the caller's own. */
export const pushSubscriptionParamsSchema = Type.Object({ id: Uuid });

/**
 * What a push carries (encrypted to the device): who and where, and the
 * message text only when its receiver turned on `pushPreview`. The service
 * worker shows it and opens `channelId`/`messageId` on a click.
 */
export const pushPayloadSchema = Type.Object({
  v: Type.Literal(1),
  /** Why it was sent; `dm` is for direct messages. */
  kind: Type.Union([Type.Literal('mention'), Type.Literal('dm')]),
  channelId: Uuid,
  messageId: Uuid,
  /** The author's display name. */
  author: Type.String(),
  /** The channel's name (a thread's own name). */
  channel: Type.String(),
  /** Plain text, cut short; absent unless the receiver opted in. */
  text: Type.Optional(Type.String()),
});
export type PushPayload = Static<typeof pushPayloadSchema>;
