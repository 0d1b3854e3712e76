import { register } from '@echora/testkit';

/** The server's ceiling on one user's sockets (`MAX_SOCKETS_PER_USER`, set to its maximum by `startEchora`). */
export const SOCKETS_PER_USER = 1000;

/**
 * Access tokens for many sockets: each call hands out a token whose user has
 * fewer than `SOCKETS_PER_USER` sockets so far, registering `<prefix><n>` the
 * first time user n is needed. User 0 is `first`, the figure's own (its owner).
 */
export function socketUsers(origin: string, prefix: string, first: string): () => Promise<string> {
  const users: Promise<string>[] = [Promise.resolve(first)];
  let handed = 0;
  return () => {
    const index = Math.floor(handed++ / SOCKETS_PER_USER);
    users[index] ??= register(origin, `${prefix}${index}`).then((s) => s.accessToken);
    return users[index];
  };
}
