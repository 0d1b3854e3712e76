import { Type, type Static } from 'typebox';
import { Uuid } from '../entities.ts';
import { inviteCode } from './invites.ts';

/** Username and password rules, shared so the client can say no before asking. */
export const AuthRules = {
  usernameMin: 2,
  usernameMax: 32,
  usernamePattern: /^[A-Za-z0-9_.-]+$/,
  passwordMin: 8,
  passwordMax: 256,
} as const;

/** Why `username` breaks the rules, or undefined when it is fine. */
export function usernameProblem(username: string): string | undefined {
  if (username.length < AuthRules.usernameMin || username.length > AuthRules.usernameMax) {
    return `username must be ${AuthRules.usernameMin}-${AuthRules.usernameMax} characters long`;
  }
  if (!AuthRules.usernamePattern.test(username)) {
    return 'username may contain only letters, digits, "_", "." and "-"';
  }
  return undefined;
}

/** Why `password` breaks the rules, or undefined when it is fine. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < AuthRules.passwordMin) {
    return `password must be at least ${AuthRules.passwordMin} characters long`;
  }
  if (password.length > AuthRules.passwordMax) {
    return `password must be at most ${AuthRules.passwordMax} characters long`;
  }
  return undefined;
}

/**
 * How a client gets its refresh token. `cookie` (the default): only as the
 * httpOnly `echora_refresh` cookie, never in a response body, so page
 * scripts cannot read it and every tab of a browser shares the one token.
 * `body`: in the response body and no cookie, for native apps that keep it
 * in the platform's secure storage and send it back in `refreshToken`.
 */
export const tokenDeliverySchema = Type.Union([Type.Literal('cookie'), Type.Literal('body')]);
export type TokenDelivery = Static<typeof tokenDeliverySchema>;

// Bodies only fix the types; the length and character rules above give each
// violation its own message, which a schema error could not.
/** `POST /api/auth/register`. */
export const registerBodySchema = Type.Object({
  username: Type.String(),
  password: Type.String(),
  /** An invite code: joins the community (needed when registration is invite-only). */
  invite: Type.Optional(inviteCode),
  tokenDelivery: Type.Optional(tokenDeliverySchema),
});
export type RegisterBody = Static<typeof registerBodySchema>;

/** `POST /api/auth/login`. */
export const loginBodySchema = Type.Object({
  username: Type.String(),
  password: Type.String(),
  /** An invite code: lets a former member (kicked, unbanned) rejoin. */
  invite: Type.Optional(inviteCode),
  tokenDelivery: Type.Optional(tokenDeliverySchema),
});
export type LoginBody = Static<typeof loginBodySchema>;

/**
 * `POST /api/auth/refresh` and `/logout`. Web clients send no token: the
 * httpOnly cookie carries it. Native clients send it in `refreshToken`.
 */
export const refreshBodySchema = Type.Object({
  refreshToken: Type.Optional(Type.String({ maxLength: 512 })),
  /**
   * Refresh only. Default: `body` when `refreshToken` is sent, else `cookie`.
   * A token that came as a cookie is only ever renewed as a cookie (`body`
   * is refused), so a script in the page cannot trade it for a readable one.
   */
  tokenDelivery: Type.Optional(tokenDeliverySchema),
});
export type RefreshBody = Static<typeof refreshBodySchema>;

/** The signed-in user as auth routes and `GET /api/me` return it. */
export const authUserSchema = Type.Object({
  id: Uuid,
  username: Type.String(),
  displayName: Type.String(),
  /** True for the community's owner (the first user to register). */
  isOwner: Type.Boolean(),
  createdAt: Type.String(),
});
export type AuthUser = Static<typeof authUserSchema>;

/** Register, login and refresh answer with a session. */
export const sessionResponseSchema = Type.Object({
  user: authUserSchema,
  /** A short-lived JWT for `Authorization: Bearer` and the sync socket's auth frame. */
  accessToken: Type.String(),
  /** Only with `tokenDelivery: 'body'` (native clients); browsers get the httpOnly cookie instead. */
  refreshToken: Type.Optional(Type.String()),
});
export type SessionResponse = Static<typeof sessionResponseSchema>;

/** `GET /api/me`. */
export const meResponseSchema = Type.Object({ user: authUserSchema });
export type MeResponse = Static<typeof meResponseSchema>;
