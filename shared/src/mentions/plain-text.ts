const MAX_BODY = 180;

/** Mention tokens and markdown marks as a notification shows them (plain text, client and push). */
export function plainText(content: string, nameOf: (userId: string) => string): string {
  const text = content
    .replace(/<@&[0-9a-fA-F-]{36}>/g, '@role')
    .replace(/<@([0-9a-fA-F-]{36})>/g, (_m, id: string) => `@${nameOf(id.toLowerCase())}`)
    .replace(/\|\|[\s\S]*?\|\|/g, '(spoiler)')
    .replace(/[*_~`>#]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > MAX_BODY ? `${text.slice(0, MAX_BODY - 1)}…` : text;
}
