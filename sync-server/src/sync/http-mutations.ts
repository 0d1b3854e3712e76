import { createHash, randomUUID } from 'node:crypto';
import type { FastifyPluginCallback, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  AppError,
  ephemeralMutations,
  httpStatus,
  mutationArgs,
  type MutationName,
  type WireError,
} from '@echora/shared';
import {
  httpMutationBodySchema,
  httpMutationResultSchema,
} from '@echora/shared/protocol/rest/bots';
import type { Queryable } from '../db/types.ts';
import { dispatch } from './dispatch.ts';

/** Printable ASCII, as Stripe and the IETF draft use: a UUID or any other client-chosen string. */
const KEY = /^[\x21-\x7e]{1,255}$/;

const errorSchema = Type.Object({
  error: Type.Object({
    kind: Type.String(),
    message: Type.String(),
    retryAfterMs: Type.Optional(Type.Number()),
  }),
});

/** JSON with object keys sorted, so the same body in another key order hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The client id (the mutation record) an Idempotency-Key stands for: a new
 * one the first time; the same one for a replay of the same body; `conflict`
 * (answered 422) for the same key with another body.
 */
async function claimKey(
  db: Queryable,
  userId: string,
  key: string,
  bodyHash: string,
): Promise<{ clientId: string; replayed: boolean }> {
  const fresh = randomUUID();
  const inserted = await db.query<{ client_id: string }>(
    `INSERT INTO api_idempotency (user_id, key, client_id, body_hash) VALUES ($1, $2, $3, $4)
     ON CONFLICT (user_id, key) DO NOTHING RETURNING client_id`,
    [userId, key, fresh, bodyHash],
  );
  if (inserted.rows[0]) return { clientId: fresh, replayed: false };
  const { rows } = await db.query<{ client_id: string; body_hash: string }>(
    'SELECT client_id, body_hash FROM api_idempotency WHERE user_id = $1 AND key = $2',
    [userId, key],
  );
  const row = rows[0];
  if (!row)
    throw new AppError('conflict', 'Idempotency-Key: in use by a request just ended; retry');
  if (row.body_hash !== bodyHash) {
    throw new AppError('conflict', 'Idempotency-Key: already used with a different request body');
  }
  return { clientId: row.client_id, replayed: true };
}

/** Deletes the mutation record of an HTTP request's own client id. */
async function forgetRecord(db: Queryable, clientId: string): Promise<void> {
  await db.query('DELETE FROM client_mutations WHERE client_id = $1', [clientId]);
}

/** Deletes an Idempotency-Key (while it still names `clientId`) and its mutation record. */
async function freeKey(db: Queryable, userId: string, key: string, clientId: string) {
  await db.query(
    `WITH k AS (
       DELETE FROM api_idempotency WHERE user_id = $1 AND key = $2 AND client_id = $3
     )
     DELETE FROM client_mutations WHERE client_id = $3`,
    [userId, key, clientId],
  );
}

function sendError(reply: FastifyReply, status: number, error: WireError): FastifyReply {
  if (error.retryAfterMs !== undefined) {
    reply.header('retry-after', Math.max(1, Math.ceil(error.retryAfterMs / 1000)));
  }
  return reply.status(status).send({ error });
}

/**
 * `POST /api/mutations`: one mutation of the registry over HTTP, through the
 * socket's own path (`dispatch`: the group commit, the rate limit, argument
 * rules, schema, permissions, the record of the answer). The record is keyed
 * by a client id that the `Idempotency-Key` header names, sequence 1: a
 * replay gets the recorded answer and applies nothing. A refusal (rate
 * limited or any other 4xx) frees the key and its record, so the same request
 * may be retried (after `Retry-After`, or once it is allowed). A request
 * without a key leaves no record: nothing could replay it.
 */
export const httpMutationRoutes: FastifyPluginCallback = (base, _options, done) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/mutations',
    {
      preHandler: app.authenticate,
      schema: {
        description:
          'Runs one mutation (`name`, and `args` as the `Mutation.<name>` schema) with the ' +
          'permissions of the caller (`Authorization: Bearer <access token>` or `Bot <token>`). ' +
          'Send an `Idempotency-Key` header (1-255 printable ASCII characters) to make a retry ' +
          'safe: the same key and body answer the recorded result (`replayed: true`) without ' +
          'applying it again; the same key with another body is refused with 422.',
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String()) }),
        body: httpMutationBodySchema,
        response: {
          200: httpMutationResultSchema,
          '4xx': errorSchema,
        },
      },
    },
    async (request, reply) => {
      const { name, args } = request.body;
      const key = request.headers['idempotency-key'];
      if (!(name in mutationArgs) || ephemeralMutations.has(name as MutationName)) {
        throw new AppError('invalid', `name: no mutation "${name.slice(0, 64)}" over HTTP`);
      }
      if (key !== undefined && (typeof key !== 'string' || !KEY.test(key))) {
        throw new AppError('invalid', 'Idempotency-Key: 1-255 printable ASCII characters');
      }
      const userId = request.user.id;
      let clientId: string = randomUUID();
      let replayed = false;
      if (key !== undefined) {
        const hash = createHash('sha256').update(canonical({ name, args })).digest('hex');
        try {
          ({ clientId, replayed } = await claimKey(app.db, userId, key, hash));
        } catch (err) {
          if (err instanceof AppError) return sendError(reply, 422, err.toWire());
          throw err;
        }
      }
      const frame = { type: 'mutate' as const, seq: 1, name: name as MutationName, args };
      // Without a key nothing can replay the record, and as its client's only
      // (latest) record the hourly prune would keep it forever: it goes now.
      const answer = await dispatch(app.sync.deps.dispatch, userId, clientId, frame).finally(() =>
        key === undefined ? forgetRecord(app.db, clientId) : undefined,
      );
      if (answer.type !== 'ack' && key !== undefined) {
        // A refusal applied nothing: the key and its record go, so a retry with
        // the same key (after Retry-After, or once allowed) runs afresh.
        await freeKey(app.db, userId, key, clientId);
      }
      if (answer.type === 'ack') {
        return {
          ok: true as const,
          replayed,
          ...(answer.scope !== undefined ? { scope: answer.scope } : {}),
          ...(answer.version !== undefined ? { version: answer.version } : {}),
        };
      }
      return sendError(reply, httpStatus[answer.error.kind], answer.error);
    },
  );
  done();
};
