import { Type, type Static } from 'typebox';
import { Uuid } from '../entities.ts';

/** The events an outgoing webhook can subscribe to. */
export const WEBHOOK_EVENTS = ['message.created', 'member.joined', 'reaction.added'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** Subscriptions one community may have. */
export const MAX_EVENT_SUBSCRIPTIONS = 25;

const eventList = Type.Array(
  Type.Union([
    Type.Literal('message.created'),
    Type.Literal('member.joined'),
    Type.Literal('reaction.added'),
  ]),
  {
    minItems: 1,
    maxItems: WEBHOOK_EVENTS.length,
    uniqueItems: true,
  },
);

/**
 * `POST /api/webhooks/outgoing`: subscribe an app's URL to events. Message
 * and reaction events come from `channelIds` only (empty: every channel the
 * creating manager can read; never direct conversations).
 */
export const eventSubscriptionCreateSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 80 }),
    url: Type.String({ minLength: 8, maxLength: 2048, pattern: '^https?://' }),
    events: eventList,
    channelIds: Type.Optional(Type.Array(Uuid, { maxItems: 100, uniqueItems: true })),
  },
  { additionalProperties: false },
);
export type EventSubscriptionCreate = Static<typeof eventSubscriptionCreateSchema>;

/** `PATCH /api/webhooks/outgoing/:id`: turn it off, or back on (which clears its failures). */
export const eventSubscriptionPatchSchema = Type.Object(
  { enabled: Type.Boolean() },
  { additionalProperties: false },
);

export const eventSubscriptionParamsSchema = Type.Object({ id: Uuid });

/** A subscription as managers see it (the secret only in the answer to its creation). */
const subscriptionFields = {
  id: Uuid,
  name: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  channelIds: Type.Array(Uuid),
  createdBy: Uuid,
  createdAt: Type.String(),
  /** Consecutive failed attempts. */
  failures: Type.Integer(),
  /** Set when it was turned off, by a manager or after repeated failure (`disabledReason`). */
  disabledAt: Type.Union([Type.String(), Type.Null()]),
  disabledReason: Type.Union([Type.String(), Type.Null()]),
};
export const eventSubscriptionSchema = Type.Object(subscriptionFields);
export type EventSubscription = Static<typeof eventSubscriptionSchema>;

/** The answer to creating one: the signing secret, shown this once. */
export const eventSubscriptionCreatedSchema = Type.Object({
  ...subscriptionFields,
  secret: Type.String(),
});
export type EventSubscriptionCreated = Static<typeof eventSubscriptionCreatedSchema>;

export const eventSubscriptionListSchema = Type.Object({
  subscriptions: Type.Array(eventSubscriptionSchema),
});

/** One delivery in a subscription's log, newest first. */
export const eventDeliverySchema = Type.Object({
  id: Uuid,
  event: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
  attempts: Type.Integer(),
  createdAt: Type.String(),
  lastAttemptAt: Type.Union([Type.String(), Type.Null()]),
  nextAttemptAt: Type.Union([Type.String(), Type.Null()]),
  /** The receiver's HTTP status, if it answered. */
  lastStatus: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
});
export type EventDelivery = Static<typeof eventDeliverySchema>;

export const eventDeliveryListSchema = Type.Object({ deliveries: Type.Array(eventDeliverySchema) });
