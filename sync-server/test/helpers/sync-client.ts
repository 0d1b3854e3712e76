import {
  type AckDown,
  type Change,
  type Channel,
  type DownMessage,
  type Member,
  type Message,
  type MutationArgs,
  type MutationName,
  type RejectDown,
  type Role,
} from '@echora/shared';
import { ProtocolClient } from '@echora/testkit';

/** A minimal replica: what a client holds after applying frames by the protocol's rules. */
export class Replica {
  readonly cursors = new Map<string, number>();
  readonly channels = new Map<string, Channel>();
  readonly messages = new Map<string, Message>();
  readonly members = new Set<string>();
  /** Member rows by id (`members` keeps only the ids). */
  readonly memberRows = new Map<string, Member>();
  readonly roles = new Map<string, Role>();
  /** The user's own poll choices (their user scope), by poll id. */
  readonly pollVotes = new Map<string, number[]>();
  /** Frames whose `from` did not match the cursor: a real client would reconnect. */
  readonly gaps: string[] = [];

  apply(frame: DownMessage): void {
    if (frame.type === 'reset') {
      this.purge(frame.scope);
      for (const c of frame.changes) this.applyChange(c);
      this.cursors.set(frame.scope, frame.version);
    } else if (frame.type === 'changes') {
      const cursor = this.cursors.get(frame.scope) ?? 0;
      if (cursor !== frame.from) {
        this.gaps.push(`${frame.scope}: cursor ${cursor}, frame from ${frame.from}`);
        return;
      }
      for (const c of frame.changes) this.applyChange(c);
      this.cursors.set(frame.scope, frame.to);
    } else if (frame.type === 'revoke') {
      this.purge(frame.scope);
      // As the app does: a channel one may no longer see goes with its messages.
      if (frame.scope.startsWith('channel:')) this.channels.delete(frame.scope.slice(8));
      this.cursors.delete(frame.scope);
    }
  }

  /** Live messages of a channel in seq order. */
  channelMessages(channelId: string): Message[] {
    return [...this.messages.values()]
      .filter((m) => m.channelId === channelId)
      .sort((a, b) => a.seq - b.seq);
  }

  private applyChange(c: Change): void {
    if (c.op === 'delete') {
      if (c.entity === 'message') this.messages.delete(c.id);
      else if (c.entity === 'channel') this.channels.delete(c.id);
      else if (c.entity === 'role') this.roles.delete(c.id);
      else if (c.entity === 'pollVote') this.pollVotes.delete(c.id);
      else if (c.entity === 'member') {
        this.members.delete(c.id);
        this.memberRows.delete(c.id);
      }
    } else if (c.entity === 'message') this.messages.set(c.data.id, c.data);
    else if (c.entity === 'channel') this.channels.set(c.data.id, c.data);
    else if (c.entity === 'role') this.roles.set(c.data.id, c.data);
    else if (c.entity === 'pollVote') this.pollVotes.set(c.data.id, c.data.optionIds);
    else if (c.entity === 'member') {
      this.members.add(c.data.id);
      this.memberRows.set(c.data.id, c.data);
    }
  }

  private purge(scope: string): void {
    // Direct conversations come in the user's scope, every other channel in the community's.
    const dropChannels = (dm: boolean) => {
      for (const [id, c] of this.channels) if ((c.kind === 'dm') === dm) this.channels.delete(id);
    };
    if (scope === 'community') {
      dropChannels(false);
      this.members.clear();
      this.memberRows.clear();
      this.roles.clear();
    } else if (scope.startsWith('channel:')) {
      const id = scope.slice('channel:'.length);
      for (const m of this.messages.values()) if (m.channelId === id) this.messages.delete(m.id);
    } else if (scope.startsWith('user:')) dropChannels(true);
  }
}

export interface ConnectOptions {
  token: string;
  clientId?: string;
  cursors?: Record<string, number>;
  /** Send `auth` on open (default true). */
  auth?: boolean;
  /** Keep applying to this replica (a reconnect of the same device); its cursors are sent. */
  replica?: Replica;
}

/**
 * The test kit's protocol client that also applies every frame to a
 * {@link Replica}, as a device would.
 */
export class SyncClient extends ProtocolClient {
  readonly replica: Replica;

  private constructor(baseUrl: string, options: ConnectOptions) {
    super(baseUrl, options.clientId === undefined ? {} : { clientId: options.clientId });
    this.replica = options.replica ?? new Replica();
  }

  /** Opens a socket to `baseUrl` (http://host:port) and authenticates unless told not to. */
  static async connect(baseUrl: string, options: ConnectOptions): Promise<SyncClient> {
    const client = new SyncClient(baseUrl, options);
    const cursors = options.cursors ?? Object.fromEntries(client.replica.cursors);
    // The replica resumes from the cursors it presents (its rows are not kept between clients).
    for (const [scope, v] of Object.entries(options.cursors ?? {}))
      client.replica.cursors.set(scope, v);
    await client.opened;
    if (options.auth !== false) await client.auth({ token: options.token, cursors });
    return client;
  }

  /** Sends many mutations without waiting in between, then waits for every answer. */
  async mutateMany<N extends MutationName>(
    name: N,
    argsList: MutationArgs<N>[],
  ): Promise<(AckDown | RejectDown)[]> {
    return Promise.all(argsList.map((args) => this.mutate(name, args)));
  }

  protected override onFrame(frame: DownMessage): void {
    this.replica.apply(frame);
  }
}

/** Polls `check` until it holds. */
export async function until(
  check: () => boolean,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
