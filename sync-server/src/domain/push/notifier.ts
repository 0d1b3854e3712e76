import { plainText } from '@echora/shared';
import type { PushPayload } from '@echora/shared/protocol/rest/push';
import type { Db } from '../../db/types.ts';
import type { PresenceTracker } from '../../presence/tracker.ts';
import type { MessageNotice } from '../../write/change-set.ts';
import type { AccessCache } from '../permissions/access.ts';
import { mentionedUsers, notBlocking, willingRecipients } from './recipients.ts';
import type { PushSender } from './sender.ts';
import { subscriptionsOf } from './subscriptions.ts';

/** A message to tell people about, and why. */
export interface PushTrigger {
  kind: PushPayload['kind'];
  messageId: string;
  channelId: string;
  authorId: string;
  /** Who it is for; those connected anywhere, unwilling or unable to see it get nothing. */
  userIds: readonly string[];
}

/**
 * Decides who gets a push about a committed message, and what it says. Every
 * trigger goes through {@link notify}: a mention calls on the mentioned members,
 * a direct message on the conversation's other participants (`kind: 'dm'`).
 */
export class PushNotifier {
  readonly #pending = new Set<Promise<void>>();

  constructor(
    private readonly db: Db,
    private readonly access: AccessCache,
    private readonly presence: PresenceTracker,
    private readonly sender: PushSender,
    private readonly log: (obj: object, msg: string) => void,
  ) {}

  /** The commit listener: each new direct message or mention, off the write path. */
  committed(notices: readonly MessageNotice[]): void {
    for (const notice of notices) {
      this.#track(async () => {
        const access = await this.access.get();
        const participants = access.dmParticipants(notice.channelId);
        await this.notify({
          kind: participants ? 'dm' : 'mention',
          messageId: notice.messageId,
          channelId: notice.channelId,
          authorId: notice.authorId,
          userIds: participants
            ? await notBlocking(this.db, [...participants], notice.authorId)
            : mentionedUsers(access, notice.mentions, notice.authorId),
        });
      });
    }
  }

  /** Queues a push to each device of the trigger's users who should get one. */
  async notify(trigger: PushTrigger): Promise<void> {
    const access = await this.access.get();
    const parentId = access.data.channels.get(trigger.channelId)?.parentId;
    const offline = trigger.userIds.filter(
      (id) =>
        id !== trigger.authorId &&
        access.canSeeChannel(id, trigger.channelId) &&
        // Connected on any node: the open app tells them itself.
        this.presence.status(id) === 'offline',
    );
    const channelIds = parentId ? [trigger.channelId, parentId] : [trigger.channelId];
    const recipients = await willingRecipients(this.db, offline, channelIds);
    const devices = await subscriptionsOf(
      this.db,
      recipients.map((r) => r.userId),
    );
    if (devices.length === 0) return;
    const message = await this.#describe(trigger);
    if (!message) return;
    const preview = new Set(recipients.filter((r) => r.preview).map((r) => r.userId));
    for (const device of devices) {
      this.sender.enqueue(device, {
        v: 1,
        kind: trigger.kind,
        channelId: trigger.channelId,
        messageId: trigger.messageId,
        author: message.author,
        channel: message.channel,
        ...(preview.has(device.userId) ? { text: message.text } : {}),
      });
    }
  }

  /** Resolves once every trigger so far has been handled and its pushes answered. */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all(this.#pending);
    await this.sender.idle();
  }

  #track(work: () => Promise<void>): void {
    const task = work().catch((err: unknown) => this.log({ err }, 'push notification failed'));
    this.#pending.add(task);
    void task.finally(() => this.#pending.delete(task));
  }

  /** Author, channel and text of a live message; undefined once it was deleted. */
  async #describe(
    trigger: PushTrigger,
  ): Promise<{ author: string; channel: string; text: string } | undefined> {
    const { rows } = await this.db.query<{ author: string; channel: string; content: string }>(
      `SELECT u.display_name AS author, c.name AS channel, m.content
       FROM messages m JOIN users u ON u.id = m.author_id JOIN channels c ON c.id = m.channel_id
       WHERE m.id = $1 AND m.deleted_at IS NULL`,
      [trigger.messageId],
    );
    const row = rows[0];
    if (!row) return undefined;
    const names = await this.#displayNames(row.content);
    return {
      author: row.author,
      channel: row.channel,
      text: plainText(row.content, (id) => names.get(id) ?? 'someone'),
    };
  }

  async #displayNames(content: string): Promise<Map<string, string>> {
    const ids = [...content.matchAll(/<@([0-9a-fA-F-]{36})>/g)].map((m) =>
      (m[1] ?? '').toLowerCase(),
    );
    if (ids.length === 0) return new Map();
    const { rows } = await this.db.query<{ id: string; display_name: string }>(
      'SELECT id, display_name FROM users WHERE id = ANY($1::uuid[])',
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r.display_name]));
  }
}
