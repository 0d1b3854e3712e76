import type { FastifyPluginCallback } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError, memberSchema } from '@echora/shared';
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
      if (!(await app.sync.deps.access.get()).member(request.user.id)) {
        throw new AppError('forbidden', 'Not a member.');
      }
      const member = await updateProfile(
        app.db,
        app.writer,
        options.storage,
        request.user.id,
        request.body,
      );
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
