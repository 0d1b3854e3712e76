/** The invite code of an `/invite/<code>` path, or null for any other path. */
export function inviteFromPath(pathname: string): string | null {
  const match = /^\/invite\/([^/]+)\/?$/.exec(pathname);
  if (!match?.[1]) return null;
  try {
    const code = decodeURIComponent(match[1]).trim();
    return code || null;
  } catch {
    // A malformed escape is no invite.
    return null;
  }
}
