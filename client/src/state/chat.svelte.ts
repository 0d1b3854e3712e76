import { untrack } from 'svelte';
import { Permission, type BotKind, type FormerMember, type Member } from '@echora/shared';
import { aroundFetcher } from '../api/around.ts';
import type { EnginePort, ReplicaPort } from '../lib/engine-port.ts';
import { LiveQuery } from '../lib/live-query.svelte.ts';
import { syncUrl } from '../lib/config.ts';
import { indexById } from '../lib/format.ts';
import { MarkdownDirectory } from '../lib/markdown/directory.svelte.ts';
import { startMediaSession } from '../files/media-session.ts';
import { startMediaLoader } from '../files/media-src.ts';
import { platform } from '../platform/index.ts';
import { reconnectWhenBack } from './wake.ts';
import { createEngine } from './backend.ts';
import { Channels } from './channels.svelte.ts';
import { Dms } from './dms.svelte.ts';
import { CommunityName } from './community-name.svelte.ts';
import { Composer } from './composer.svelte.ts';
import { Connection } from './connection.svelte.ts';
import { MessageActions } from './message-actions.svelte.ts';
import { Notifications } from './notifications.svelte.ts';
import { PushNotifications } from './push.svelte.ts';
import { ChannelMessages } from './messages.svelte.ts';
import { Permissions } from './permissions.svelte.ts';
import { Presence } from './presence.svelte.ts';
import type { Session } from './session.svelte.ts';
import { handleError } from './toasts.svelte.ts';
import { Typing } from './typing.svelte.ts';
import { Unread } from './unread.svelte.ts';
import { UserSettingsState } from './user-settings.svelte.ts';
import { Voice } from './voice.svelte.ts';
import { EmojiState } from './emoji.svelte.ts';
import { Reactions } from './reactions.svelte.ts';
import { Polls } from './polls.svelte.ts';
import { Jump } from './reply.svelte.ts';
import { SearchState } from './search.svelte.ts';
import { Threads } from './threads.svelte.ts';
import { Uploads } from './uploads.svelte.ts';

/**
 * Everything the main view needs for a signed-in user: the engine and the
 * rune classes over it. Create it during component initialisation (its live
 * queries own effects) and `dispose()` it on unmount.
 */
export class Chat {
  readonly engine: EnginePort;
  readonly connection: Connection;
  /** My settings (theme, font size, compact, motion, clock, notifications), synced. */
  readonly settings: UserSettingsState;
  /** The community's name, for the sidebar. */
  readonly community: CommunityName;
  readonly channels: Channels;
  /** Direct conversations and blocks. */
  readonly dms: Dms;
  readonly messages: ChannelMessages;
  readonly actions: MessageActions;
  readonly composer: Composer;
  /** Messages with files: staged in the composer, then uploaded and sent. */
  readonly uploads: Uploads;
  readonly presence: Presence;
  readonly typing: Typing;
  readonly voice: Voice;
  /** What I may do here (roles, overrides, timeout), for the UI; the server decides. */
  readonly permissions: Permissions;
  /** Read marks, unread flags and mention counts; notifications for mentions; names for markdown. */
  readonly unread: Unread;
  readonly notifications: Notifications;
  /** "Notify me when Echora is closed": this device's Web Push subscription. */
  readonly push: PushNotifications;
  readonly markdown: MarkdownDirectory;
  /** Threads and pins (the side panel), reactions, custom emoji, jumping to quoted messages. */
  readonly threads: Threads;
  readonly reactions: Reactions;
  /** Making polls, voting, closing them. */
  readonly polls: Polls;
  readonly emoji: EmojiState;
  readonly jump = new Jump();
  /** The search panel: this device's index and the server's, merged. */
  readonly search: SearchState;
  /** The replica, for panels that keep their own live queries (a thread's messages). */
  readonly replica: ReplicaPort;
  #members: LiveQuery<null, Member[]>;
  #formerMembers: LiveQuery<null, FormerMember[]>;
  #cleanup: (() => void)[] = [];

  members = $derived.by(() => this.#members.current);
  memberById = $derived(indexById(this.members));
  /** Kicked and banned people whose messages remain: their names, for those messages. */
  formerMembers = $derived.by(() => this.#formerMembers.current);
  formerById = $derived(indexById(this.formerMembers));
  selfId: string;

  constructor(
    replica: ReplicaPort,
    readonly session: Session,
  ) {
    const user = session.user;
    if (!user) throw new Error('Chat needs a signed-in user');
    this.selfId = user.id;
    this.engine = createEngine(replica, {
      url: syncUrl(),
      userId: user.id,
      getToken: session.getToken,
    });
    this.connection = new Connection(this.engine);
    this.community = new CommunityName(replica, this.engine);
    this.settings = new UserSettingsState(replica, this.engine);
    this.channels = new Channels(replica, this.engine);
    this.messages = new ChannelMessages(
      replica,
      this.engine,
      () => this.channels.current?.id,
      aroundFetcher(session.getToken),
    );
    this.actions = new MessageActions(this.engine);
    this.uploads = new Uploads({
      userId: user.id,
      replica,
      getToken: session.getToken,
      send: (args) => this.engine.mutate('message.send', args),
      onOnline: (cb) => this.engine.onState((s) => s === 'online' && cb()),
    });
    // Keeps the cookie that lets <img> and <video> load files fresh; the
    // phone apps, where it is a third party's, load images with the token.
    if (platform.mediaCookies) startMediaSession(session.getToken);
    else {
      this.#cleanup.push(
        startMediaLoader({ token: session.getToken, refresh: session.refreshToken }),
      );
    }
    this.composer = new Composer(replica, this.engine, this.uploads);
    this.presence = new Presence(
      this.engine,
      () => this.selfId,
      () => this.connection.state === 'online',
    );
    this.typing = new Typing(this.engine);
    this.voice = new Voice(session.getToken, this.engine, (channel) =>
      this.permissions.canIn(channel, Permission.muteMembers),
    );
    this.#members = new LiveQuery(
      () => null,
      () => replica.members.toArray(),
      [],
      (e) => handleError(e),
    );
    this.#formerMembers = new LiveQuery(
      () => null,
      () => replica.formerMembers.toArray(),
      [],
      (e) => handleError(e),
    );
    this.dms = new Dms(
      replica,
      this.engine,
      user.id,
      () => this.channels.dms,
      this.nameOf,
      (id) => this.channels.select(id),
    );
    this.permissions = new Permissions(
      replica,
      user.id,
      () => this.members,
      () => this.session.user?.isOwner === true,
      () => this.dms.blocked,
    );
    const myRoleIds = () => this.permissions.me.roleIds;
    this.unread = new Unread(
      replica,
      this.engine,
      user.id,
      myRoleIds,
      () => this.channels.current?.id,
    );
    this.notifications = new Notifications(
      replica,
      this.unread,
      () => this.channels.all,
      this.nameOf,
      () => this.settings.current.notify,
    );
    this.markdown = new MarkdownDirectory(
      replica,
      user.id,
      () => this.memberById,
      () => this.permissions.roleById,
      myRoleIds,
      (e) => handleError(e),
    );
    this.replica = replica;
    this.threads = new Threads(this.engine, () => this.channels.all);
    this.reactions = new Reactions(this.engine, () => this.selfId);
    this.polls = new Polls(replica, this.engine);
    this.emoji = new EmojiState(replica, session.getToken);
    this.push = new PushNotifications(replica, session.getToken);
    // Offline now: the next start tries again.
    this.push.resync().catch(() => undefined);
    const forgetDevice = async () => {
      this.uploads.dispose();
      const discarded = this.engine.forget();
      // A removed member's pushes stop on the server; this ends the browser's side.
      await this.push.unsubscribe().catch(() => undefined);
      return discarded;
    };
    session.forgetDevice = forgetDevice;
    const beforeSignOut = async () => {
      if (this.push.enabled) await this.push.unsubscribe();
    };
    session.beforeSignOut = beforeSignOut;
    this.search = new SearchState({
      replica,
      userId: user.id,
      getToken: session.getToken,
      isOnline: () => this.engine.state === 'online',
    });
    this.#cleanup.push(
      this.engine.onRemoved((removal) => void session.removedFrom(removal)),
      () => {
        if (session.forgetDevice === forgetDevice) session.forgetDevice = undefined;
        if (session.beforeSignOut === beforeSignOut) session.beforeSignOut = undefined;
      },
      this.engine.onError((e) => handleError(e)),
      platform.onVisibilityChange((visible) => this.engine.setIdle(!visible)),
      reconnectWhenBack(platform, this.engine),
    );
    let openId: string | undefined;
    $effect(() => {
      const id = this.channels.current?.id;
      // Channel objects are replaced on every replica change; react to a new id only.
      if (id === openId) return;
      openId = id;
      untrack(() => {
        this.messages.reset();
        this.actions.cancelEdit();
        this.composer.open(id).catch((e: unknown) => handleError(e));
      });
    });
    this.engine.start();
    platform.requestPersistentStorage().catch(() => false);
  }

  /** A display name for a user id (members may not have synced yet). */
  nameOf = (userId: string): string => {
    if (userId === this.selfId && this.session.user) return this.session.user.displayName;
    return (
      this.memberById.get(userId)?.displayName ??
      this.formerById.get(userId)?.displayName ??
      'Unknown member'
    );
  };

  /** A user's avatar, member or former member. */
  /** 'bot' or 'webhook' for an automated author (the badge beside its name), else undefined. */
  botKindOf = (userId: string): BotKind | undefined =>
    (this.memberById.get(userId) ?? this.formerById.get(userId))?.bot;

  avatarOf = (userId: string): string | null =>
    (this.memberById.get(userId) ?? this.formerById.get(userId))?.avatarUrl ?? null;

  dispose(): void {
    for (const off of this.#cleanup) off();
    this.connection.dispose();
    this.community.dispose();
    this.presence.dispose();
    this.typing.dispose();
    this.voice.dispose();
    this.unread.dispose();
    this.composer.dispose();
    this.uploads.dispose();
    this.search.dispose();
    this.engine.stop();
  }
}
