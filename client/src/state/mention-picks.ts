/**
 * The mentions picked from the composer's suggestions for the message being
 * written. The text shows names ("@Bob"); `encode` turns the picked ones into
 * tokens ("<@id>") when sending, so the server and every reader resolve the
 * same person even if two members share a display name.
 */
export class MentionPicks {
  /** Shown name → token. */
  readonly #picked = new Map<string, string>();

  /** Remembers that `shown` (as typed into the text) stands for `token`. */
  pick(shown: string, token: string): void {
    if (shown !== token) this.#picked.set(shown, token);
  }

  /** The text with picked names as mention tokens (longest names first). */
  encode(text: string): string {
    let out = text;
    const names = [...this.#picked.keys()].sort((a, b) => b.length - a.length);
    for (const name of names) {
      const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      out = out.replace(
        new RegExp(`(^|[^\\w@])${escaped}(?![\\w])`, 'g'),
        (_m, lead: string) => `${lead}${this.#picked.get(name) ?? name}`,
      );
    }
    return out;
  }

  /** Forgets the picks (the message was sent). */
  clear(): void {
    this.#picked.clear();
  }
}
