import { Type } from 'typebox';
import { Limits } from '../limits.ts';
import { singleLineText } from '../text.ts';

/** Role names: 1-100 characters, no control characters (the server also trims). */
export const roleName = singleLineText({ minLength: 1, maxLength: Limits.channelNameLength });

/** An RGB colour, 0xRRGGBB (0: no colour). */
export const roleColor = Type.Integer({ minimum: 0, maximum: 0xffffff });

/** A set of `Permission` bits (the server refuses bits that do not exist). */
export const permissionBits = Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 });
