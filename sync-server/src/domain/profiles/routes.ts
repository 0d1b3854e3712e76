import type { FastifyPluginCallback } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError, COMMUNITY_SCOPE, memberSchema } from '@echora/shared';
import { profilePatchSchema } from '@echora/shared/protocol/rest/profile';
import type { FileStorage } from '../../storage/index.ts';
import { findMember } from '../members/queries.ts';
import { updateProfile } from './update.ts';

/** `GET` and `PATCH /profile`: the signed-in user's display name, avatar, bio, pronouns and status. */
export const profileRoutes: FastifyPluginCallback<{ storage: FileStorage }> = (
  base,
  options,
  done,
) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  app.patch(
    '/profile',
    {
      preHandler: app.authenticate,
      schema: {
        body: profilePatchSchema,
        response: { 200: Type.Object({ member: memberSchema }) },
      },
    },
    async (request) => {
      const { access, bus } = app.sync.deps;
      if (!(await access.get()).member(request.user.id)) {
        throw new AppError('forbidden', 'Not a member.');
      }
      const { member, changes } = await updateProfile(
        app.db,
        options.storage,
        request.user.id,
        request.body,
      );
      const version = changes.lastVersion(COMMUNITY_SCOPE);
      if (version !== undefined) access.invalidate(version);
      await changes.publish(bus).catch((err: unknown) => {
        request.log.error({ err }, 'publish failed');
      });
      return { member };
    },
  );
  app.get(
    '/profile',
    {
      preHandler: app.authenticate,
      schema: { response: { 200: Type.Object({ member: memberSchema }) } },
    },
    async (request) => {
      const member = await findMember(app.db, request.user.id);
      if (!member) throw new AppError('forbidden', 'Not a member.');
      return { member };
    },
  );
  done();
};
