import type { TokenizerAndRendererExtension, Tokens } from 'marked';
import type { RenderContext } from './context.ts';
import { escapeHtml } from './escape.ts';
import { safeUrl } from './urls.ts';

/*
 * Discord's additions to markdown, as marked inline extensions. Each renderer
 * builds its HTML from escaped values only; DOMPurify runs on the result too.
 */

type Generic = Tokens.Generic;

/** `||hidden||`: a spoiler, revealed on click or Enter. */
export const spoiler: TokenizerAndRendererExtension = {
  name: 'spoiler',
  level: 'inline',
  start: (src) => src.indexOf('||'),
  tokenizer(src) {
    const m = /^\|\|(?=[^|])([\s\S]*?[^|\s]|[^|\s])\|\|/.exec(src);
    if (!m?.[1]) return undefined;
    return { type: 'spoiler', raw: m[0], tokens: this.lexer.inlineTokens(m[1]) };
  },
  renderer(token: Generic) {
    const inner = this.parser.parseInline(token.tokens ?? []);
    return `<span class="spoiler" role="button" tabindex="0" aria-expanded="false" aria-label="Spoiler, select to reveal"><span class="spoiler-text">${inner}</span></span>`;
  },
};

/** `__text__`: underline (plain markdown would make it bold). */
export const underline: TokenizerAndRendererExtension = {
  name: 'underline',
  level: 'inline',
  start: (src) => src.indexOf('__'),
  tokenizer(src) {
    const m = /^__(?=\S)([\s\S]*?\S)__(?!_)/.exec(src);
    if (!m?.[1]) return undefined;
    return { type: 'underline', raw: m[0], tokens: this.lexer.inlineTokens(m[1]) };
  },
  renderer(token: Generic) {
    return `<u>${this.parser.parseInline(token.tokens ?? [])}</u>`;
  },
};

const MENTION = /^<@(&?)([0-9a-fA-F-]{36})>|^@(everyone|here)(?![\w-])/;
// Same shape as the shared parser's pattern (the server fills `mentions` with it).
const MENTION_START = /<@&?[0-9a-fA-F-]{36}>|(?<![\w@])@(?:everyone|here)(?![\w-])/;

const chip = (cls: string, label: string) => `<span class="${cls}">${escapeHtml(label)}</span>`;

/** `<@user>`, `<@&role>`, `@everyone`, `@here` as chips with names; mentions of me stand out. */
export function mention(ctx: () => RenderContext): TokenizerAndRendererExtension {
  return {
    name: 'mention',
    level: 'inline',
    start: (src) => src.search(MENTION_START),
    tokenizer(src) {
      const m = MENTION.exec(src);
      if (!m) return undefined;
      const [raw, amp, id, word] = m;
      if (word) return { type: 'mention', raw, kind: 'everyone', id: word };
      return { type: 'mention', raw, kind: amp ? 'role' : 'user', id: (id ?? '').toLowerCase() };
    },
    renderer(token: Generic) {
      const c = ctx();
      const id = String(token.id);
      if (token.kind === 'everyone') {
        // Without mention-everyone the server stored no effect: plain text, like any word.
        if (!c.mentions.everyone) return escapeHtml(String(token.raw));
        return chip('mention self', `@${id}`);
      }
      if (token.kind === 'role') {
        const name = c.roleName(id);
        const self = c.selfRoleIds.includes(id) ? ' self' : '';
        return chip(`mention role${self}`, `@${name ?? 'deleted-role'}`);
      }
      const name = c.userName(id);
      return chip(`mention${id === c.selfId ? ' self' : ''}`, `@${name ?? 'unknown-member'}`);
    },
  };
}

/** `:name:` for a custom emoji the community has; other text stays as typed. */
export function customEmoji(ctx: () => RenderContext): TokenizerAndRendererExtension {
  return {
    name: 'customEmoji',
    level: 'inline',
    start: (src) => src.indexOf(':'),
    tokenizer(src) {
      const m = /^:([A-Za-z0-9_]{2,32}):/.exec(src);
      const name = m?.[1];
      if (!m || !name) return undefined;
      const url = ctx().emojiUrl(name);
      const src_ = url === undefined ? undefined : safeUrl(url);
      if (!src_) return undefined;
      return { type: 'customEmoji', raw: m[0], name, url: src_ };
    },
    renderer(token: Generic) {
      const label = escapeHtml(`:${String(token.name)}:`);
      return `<img class="emoji" src="${escapeHtml(String(token.url))}" alt="${label}" title="${label}" draggable="false">`;
    },
  };
}
