import { AppError, userScope, type SettingsUpdateArgs } from '@echora/shared';
import type { MutationContext, MutationResult } from '../../write/context.ts';
import { KeyedLimiter } from '../../limits/token-bucket.ts';
import { toUserSettings, type UserSettingsRow } from './queries.ts';

/**
 * Settings changes per user and node: far more than anyone clicks (a font-size
 * slider dragged end to end is about ten), far fewer than a script could send.
 */
const limiter = new KeyedLimiter(60, 60_000);

/**
 * `settings.update`: merges the given keys into the user's stored settings and
 * publishes the whole result to their own scope, so every device of theirs
 * follows. The schema has already refused unknown keys and values; a change
 * to the values already stored writes nothing and answers a plain ack.
 */
export async function updateSettings(
  ctx: MutationContext,
  args: SettingsUpdateArgs,
): Promise<MutationResult> {
  const wait = limiter.take(ctx.userId);
  if (wait > 0)
    throw new AppError('rate_limited', 'Changing settings too fast; wait a moment.', wait);
  const { rows } = await ctx.tx.query<UserSettingsRow>(
    `INSERT INTO user_settings (user_id, settings, updated_at) VALUES ($1, $2::jsonb, $3)
     ON CONFLICT (user_id) DO UPDATE
       SET settings = user_settings.settings || EXCLUDED.settings, updated_at = EXCLUDED.updated_at
       WHERE NOT user_settings.settings @> EXCLUDED.settings
     RETURNING settings`,
    [ctx.userId, JSON.stringify(args), ctx.now],
  );
  const row = rows[0];
  if (!row) return {};
  const scope = userScope(ctx.userId);
  const data = toUserSettings(row);
  const [change] = await ctx.changes.append(ctx.tx, scope, [
    { op: 'upsert', entity: 'userSettings', id: data.id, data },
  ]);
  return { scope, version: change?.version ?? 0 };
}
