import type { Emoji, Member, Message, Role } from '@echora/shared';
import type { ReplicaPort } from '../engine-port.ts';
import { LiveQuery } from '../live-query.svelte.ts';
import { emojisByName, type RenderContext } from './context.ts';
import { renderInlineMarkdown, type InlineOptions } from './inline.ts';
import { renderMarkdown } from './render.ts';
import { sanitize, sanitizeInline } from './sanitize.ts';

const CACHE_SIZE = 500;

/**
 * The names a message's markdown refers to (members, roles, custom emoji),
 * read from the replica once for every message on screen. Create it during
 * component initialisation (its live query owns an effect).
 */
export class MarkdownDirectory {
  #emojis: LiveQuery<null, Emoji[]>;
  emojiByName = $derived.by(() => emojisByName(this.#emojis.current));

  constructor(
    replica: ReplicaPort,
    private readonly selfId: string,
    private readonly members: () => ReadonlyMap<string, Member>,
    private readonly roles: () => ReadonlyMap<string, Role>,
    private readonly myRoleIds: () => readonly string[],
    onError: (e: unknown) => void,
  ) {
    this.#emojis = new LiveQuery(
      () => null,
      () => replica.emojis.toArray(),
      [],
      onError,
    );
  }

  // Rendered HTML by content and mentions, for the names it was rendered with: every
  // replica change hands the list new message objects, and re-rendering them all is slow.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a cache, never read reactively
  #cache = new Map<string, string>();
  #cacheFor: unknown[] = [];

  /** A message's content as sanitized HTML (`render.ts`, then `sanitize.ts`). */
  html(message: Pick<Message, 'content' | 'mentions'>): string {
    return this.#cached('block', message, () =>
      sanitize(renderMarkdown(message.content, this.contextFor(message))),
    );
  }

  /** A message's content as one line of sanitized inline HTML (`inline.ts`): pins, reply quotes. */
  inlineHtml(message: Pick<Message, 'content' | 'mentions'>, opts: InlineOptions): string {
    return this.#cached(opts.links ? 'inline' : 'inline-nolinks', message, () =>
      sanitizeInline(renderInlineMarkdown(message.content, this.contextFor(message), opts)),
    );
  }

  #cached(kind: string, message: Pick<Message, 'content' | 'mentions'>, render: () => string) {
    const inputs = [this.members(), this.roles(), this.emojiByName, this.myRoleIds()];
    if (inputs.some((input, i) => input !== this.#cacheFor[i])) {
      this.#cache.clear();
      this.#cacheFor = inputs;
    }
    const m = message.mentions;
    const key = `${kind}|${m.users.join()}|${m.roles.join()}|${m.everyone ? 1 : 0}|${message.content}`;
    let html = this.#cache.get(key);
    if (html === undefined) {
      html = render();
      if (this.#cache.size >= CACHE_SIZE) this.#cache.clear();
      this.#cache.set(key, html);
    }
    return html;
  }

  /** What the renderer needs for one message. */
  contextFor(message: Pick<Message, 'mentions'>): RenderContext {
    const members = this.members();
    const roles = this.roles();
    const emojis = this.emojiByName;
    return {
      userName: (id) => members.get(id)?.displayName,
      roleName: (id) => roles.get(id)?.name,
      emojiUrl: (name) => emojis.get(name)?.url,
      selfId: this.selfId,
      selfRoleIds: this.myRoleIds(),
      mentions: message.mentions,
    };
  }
}
