import type { FastifyPluginCallback } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError, COMMUNITY_SCOPE, Permission, Uuid } from '@echora/shared';
import {
  avatarBodySchema,
  botAnswerSchema,
  botListSchema,
  botWithTokenSchema,
  createBotBodySchema,
  type BotWithToken,
} from '@echora/shared/protocol/rest/bots';
import type { FileStorage } from '../../storage/index.ts';
import { addMember } from '../members/join.ts';
import { communityWrite, type CommunityWrite } from '../moderation/write.ts';
import { emitVisibility } from '../roles/emit.ts';
import { actorOf, requirePermission } from '../permissions/guard.ts';
import { makeAvatar } from '../profiles/avatar.ts';
import { writeAudit } from '../audit/log.ts';
import {
  appendFormerMember,
  findBot,
  insertBotUser,
  listBots,
  setBotAvatar,
  setBotSecret,
} from './store.ts';
import { botToken, hashSecret, newSecret } from './tokens.ts';

const idParams = Type.Object({ id: Uuid });

/**
 * "Managers" of bots are those with manage community: a bot is a new account
 * of the community (like an invite that joins at once), not a change of
 * roles. Which roles it holds is then set with `member.roles`, under the
 * usual rule that one can only hand out roles below one's own.
 */
function requireManager(w: CommunityWrite, userId: string): void {
  actorOf(w.access, userId);
  requirePermission(w.access.base(userId, w.now.getTime()), Permission.manageCommunity);
}

/**
 * Bot accounts: `GET/POST /api/bots`, `POST /api/bots/:id/token` (rotate),
 * `PUT /api/bots/:id/avatar`, `DELETE /api/bots/:id`. A bot is a member (its scope is its roles'
 * permissions) that authenticates with `Authorization: Bot <token>` on the
 * REST API and with the same token in the sync socket's `auth` frame. The
 * token is shown once; the database keeps its sha256.
 */
export const botRoutes: FastifyPluginCallback<{ storage: FileStorage }> = (base, options, done) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const auth = { preHandler: app.authenticate };

  app.get('/bots', { ...auth, schema: { response: { 200: botListSchema } } }, async (request) => {
    const access = await app.sync.deps.access.get();
    requirePermission(access.base(request.user.id), Permission.manageCommunity);
    return { bots: await listBots(app.db) };
  });

  app.post(
    '/bots',
    { ...auth, schema: { body: createBotBodySchema, response: { 201: botWithTokenSchema } } },
    async (request, reply) => {
      const actorId = request.user.id;
      const access = await app.sync.deps.access.get();
      requirePermission(access.base(actorId), Permission.manageCommunity);
      const { name, avatarUploadId } = request.body;
      if (!name.trim()) throw new AppError('invalid', 'name: a bot needs a name');
      const avatar = avatarUploadId
        ? await makeAvatar(app.db, options.storage, actorId, avatarUploadId)
        : null;
      const secret = newSecret();
      const answer = await communityWrite(app, async (w): Promise<BotWithToken> => {
        requireManager(w, actorId);
        const id = await insertBotUser(w.tx, 'bot', name, avatar);
        await setBotSecret(w.tx, id, hashSecret(secret), actorId);
        await addMember(w.tx, id, w.changes);
        await writeAudit(w.tx, { actorId, action: 'bot.create', targetType: 'user', targetId: id });
        const bot = await findBot(w.tx, id);
        if (!bot) throw new Error(`bot ${id} vanished inside its own transaction`);
        return { bot, token: botToken(id, secret) };
      });
      return reply.status(201).send(answer);
    },
  );

  app.post(
    '/bots/:id/token',
    { ...auth, schema: { params: idParams, response: { 200: botWithTokenSchema } } },
    async (request) => {
      const actorId = request.user.id;
      const secret = newSecret();
      return communityWrite(app, async (w): Promise<BotWithToken> => {
        requireManager(w, actorId);
        const bot = await findBot(w.tx, request.params.id);
        if (!bot) throw new AppError('not_found', 'No such bot.');
        await setBotSecret(w.tx, bot.id, hashSecret(secret), actorId);
        await writeAudit(w.tx, {
          actorId,
          action: 'bot.rotate',
          targetType: 'user',
          targetId: bot.id,
        });
        const rotated = (await findBot(w.tx, bot.id)) ?? bot;
        return { bot: rotated, token: botToken(bot.id, secret) };
      });
    },
  );

  app.put(
    '/bots/:id/avatar',
    {
      ...auth,
      schema: {
        description: 'Sets (an upload of the caller’s) or removes (`null`) a bot’s avatar',
        params: idParams,
        body: avatarBodySchema,
        response: { 200: botAnswerSchema },
      },
    },
    async (request) => {
      const actorId = request.user.id;
      const { id } = request.params;
      const access = await app.sync.deps.access.get();
      requirePermission(access.base(actorId), Permission.manageCommunity);
      if (!(await findBot(app.db, id))) throw new AppError('not_found', 'No such bot.');
      const { avatarUploadId } = request.body;
      // Image work happens before the transaction: it holds no row locks.
      const avatar = avatarUploadId
        ? await makeAvatar(app.db, options.storage, actorId, avatarUploadId)
        : null;
      return communityWrite(app, async (w) => {
        requireManager(w, actorId);
        if (!(await findBot(w.tx, id))) throw new AppError('not_found', 'No such bot.');
        await setBotAvatar(w.tx, w.changes, id, avatar);
        await writeAudit(w.tx, { actorId, action: 'bot.avatar', targetType: 'user', targetId: id });
        const bot = await findBot(w.tx, id);
        if (!bot) throw new Error(`bot ${id} vanished inside its own transaction`);
        return { bot };
      });
    },
  );

  app.delete('/bots/:id', { ...auth, schema: { params: idParams } }, async (request, reply) => {
    const actorId = request.user.id;
    const { id } = request.params;
    await communityWrite(app, async (w) => {
      requireManager(w, actorId);
      if (!(await findBot(w.tx, id))) throw new AppError('not_found', 'No such bot.');
      // Its messages stay, under its name (a former member); its token is gone.
      await w.tx.query('DELETE FROM bot_tokens WHERE user_id = $1', [id]);
      await w.tx.query('DELETE FROM member_roles WHERE user_id = $1', [id]);
      await w.tx.query('DELETE FROM members WHERE user_id = $1', [id]);
      await w.changes.append(w.tx, COMMUNITY_SCOPE, [{ op: 'delete', entity: 'member', id }]);
      await appendFormerMember(w.tx, w.changes, id);
      await emitVisibility(w.tx, w.changes, w.access, w.now.getTime());
      await writeAudit(w.tx, { actorId, action: 'bot.delete', targetType: 'user', targetId: id });
    });
    return reply.status(204).send();
  });

  done();
};
