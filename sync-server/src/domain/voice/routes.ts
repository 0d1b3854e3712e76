import type { FastifyInstance, FastifyRequest } from 'fastify';
import { jwtVerify } from 'jose';
import { Type } from 'typebox';
import { AppError, canSee, voiceSnapshotDown } from '@echora/shared';
import {
  VOICE_REPORT_AUDIENCE,
  VOICE_REPORT_MAX_BYTES,
  voiceGrantRequestSchema,
  voiceModerateRequestSchema,
  voiceNodeReportSchema,
  type IceServer,
  type VoiceGrantRequest,
  type VoiceGrantResponse,
  type VoiceModerateRequest,
  type VoiceModerateResponse,
  type VoiceNodeReport,
  type VoiceParticipant,
} from '@echora/shared/voice/index';
import { Access } from '../permissions/access.ts';
import { loadAccess } from '../permissions/load.ts';
import { startVoiceEnforcer } from './enforce.ts';
import { signVoiceGrant, voicePermsFor } from './grant.ts';
import { moderateVoice } from './moderate.ts';
import { localNode, pickNode } from './nodes.ts';
import type { VoiceStateStore } from './state.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Who is in which voice channel (ephemeral, fed by the SFU nodes through the bus). */
    voice: VoiceStateStore;
  }
}

export interface VoiceOptions {
  /** Overrides `ICE_SERVERS` from the environment (tests). */
  iceServers?: IceServer[];
}

/**
 * Voice on the sync server: the grant route, the SFU nodes' report route (the
 * report goes on the bus so every node's sync sockets relay it), a state read
 * and moderation; and the enforcer that ends or downgrades voice sessions when
 * permissions change (see `enforce.ts`). Decorates the root app with `voice`
 * (the sync engine's state store). Register on the root instance, after the
 * sync engine.
 */
export async function registerVoice(
  app: FastifyInstance,
  options: VoiceOptions = {},
): Promise<void> {
  const iceServers = options.iceServers ?? app.config.iceServers;
  const { voice: store, voiceRelay } = app.sync.deps;
  app.decorate('voice', store);
  const secret = () => new TextEncoder().encode(app.config.voiceGrantSecret);
  const enforcer = startVoiceEnforcer({
    bus: app.sync.deps.bus,
    access: app.sync.deps.access,
    store,
    secret: app.config.voiceGrantSecret,
    log: (err, message) => app.log.warn({ err }, message),
  });
  app.addHook('preClose', (done) => {
    enforcer.stop();
    done();
  });
  /** The node each authenticated report request speaks for, read from its token. */
  const reportNodes = new WeakMap<FastifyRequest, string>();

  await app.register(
    (api, _options, done) => {
      api.post<{ Body: VoiceGrantRequest }>(
        '/voice/grant',
        { preHandler: api.authenticate, schema: { body: voiceGrantRequestSchema } },
        async (request): Promise<VoiceGrantResponse> => {
          const access = new Access(await loadAccess(api.db));
          const { channelId } = request.body;
          const perms = voicePermsFor(access, request.user.id, channelId);
          const url =
            pickNode(channelId, api.config.sfuUrls) ??
            localNode(request.hostname, request.protocol, api.config.sfuPort);
          const { token, expiresAt } = await signVoiceGrant(api.config.voiceGrantSecret, {
            userId: request.user.id,
            channelId,
            node: url,
            perms,
            mod: store.moderation(request.user.id),
          });
          return { url, token, iceServers, expiresAt, perms };
        },
      );

      const stateSchema = { response: { 200: Type.Omit(voiceSnapshotDown, ['type']) } };
      api.get(
        '/voice/state',
        { preHandler: api.authenticate, schema: stateSchema },
        async (request) => {
          const access = new Access(await loadAccess(api.db));
          const channels: { channelId: string; participants: VoiceParticipant[] }[] = [];
          for (const [channelId, participants] of store.channels())
            if (canSee(access.channel(request.user.id, channelId)))
              channels.push({ channelId, participants });
          return { channels };
        },
      );

      api.post<{ Body: VoiceModerateRequest }>(
        '/voice/moderate',
        { preHandler: api.authenticate, schema: { body: voiceModerateRequestSchema } },
        async (request): Promise<VoiceModerateResponse> =>
          moderateVoice(
            {
              access: new Access(await loadAccess(api.db)),
              store,
              secret: api.config.voiceGrantSecret,
            },
            request.user.id,
            request.body,
          ),
      );

      api.post<{ Body: VoiceNodeReport }>(
        '/internal/voice/report',
        {
          bodyLimit: VOICE_REPORT_MAX_BYTES,
          // The token is checked before a byte of the body is read: an
          // unauthenticated sender never gets a large body parsed.
          onRequest: async (request, reply) => {
            try {
              reportNodes.set(request, await reportingNode(request, secret()));
            } catch (error) {
              // Close rather than drain the unread body once the 401 is out.
              void reply.header('connection', 'close');
              throw error;
            }
          },
          schema: { body: voiceNodeReportSchema },
        },
        async (request, reply) => {
          const node = reportNodes.get(request);
          if (node !== request.body.node)
            throw new AppError('forbidden', 'The report names another node');
          await voiceRelay.publish(request.body);
          return reply.status(204).send();
        },
      );
      done();
    },
    { prefix: '/api' },
  );
}

/** The node named by a report's bearer token, signed with the voice secret. */
async function reportingNode(request: FastifyRequest, key: Uint8Array): Promise<string> {
  const header = request.headers.authorization;
  const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : '';
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: ['HS256'],
      audience: VOICE_REPORT_AUDIENCE,
    });
    if (typeof payload.node !== 'string') throw new Error('no node');
    return payload.node;
  } catch {
    throw new AppError('unauthorized', 'A voice report needs a valid node token');
  }
}
