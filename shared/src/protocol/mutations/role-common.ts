import { Type } from 'typebox';
import { Limits } from '../limits.ts';

/** Role names: 1-100 characters, no control characters (the server also trims). */
export const roleName = Type.String({
  minLength: 1,
  maxLength: Limits.channelNameLength,
  pattern: '^[^\\u0000-\\u001f\\u007f]+$',
});

/** An RGB colour, 0xRRGGBB (0: no colour). */
export const roleColor = Type.Integer({ minimum: 0, maximum: 0xffffff });

/** A set of `Permission` bits (the server refuses bits that do not exist). */
export const permissionBits = Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 });
