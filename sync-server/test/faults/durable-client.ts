import { randomUUID } from 'node:crypto';
import { newId, type DownMessage } from '@echora/shared';
import { ProtocolClient } from '@echora/testkit';
import { Replica } from '../helpers/sync-client.ts';

/** One queued `message.send`, as a device would keep it on disk. */
export interface OutboxEntry {
  seq: number;
  id: string;
  channelId: string;
  content: string;
}

/**
 * What survives a process restart of the client: its id, its outbox, its next
 * seq and its replica (with cursors). Pass the same object to a new
 * {@link DurableClient} to model "killed and restarted".
 */
export interface ClientDisk {
  clientId: string;
  nextSeq: number;
  outbox: OutboxEntry[];
  replica: Replica;
}

export function freshDisk(): ClientDisk {
  return { clientId: randomUUID(), nextSeq: 1, outbox: [], replica: new Replica() };
}

/**
 * A raw sync client that behaves like the real one under faults: it keeps an
 * outbox, resends every unacknowledged mutation with its original seq after a
 * reconnect, reconnects on any close (to whichever url `pickUrl` names), and
 * resumes each scope from its cursor. It counts what it was told.
 */
export class DurableClient {
  /** Message ids the server acknowledged. */
  readonly acked = new Set<string>();
  /** Message ids the server refused, with why (a refused send is a lost message here). */
  readonly rejected = new Map<string, string>();
  /** How many times each message id arrived in an applied `changes` frame. */
  readonly deliveries = new Map<string, number>();
  reconnects = 0;
  /** Called after each ack is recorded (tests kill the client from here, mid-stream). */
  onAck: ((acked: number) => void) | undefined;
  private socket: Connection | undefined;
  private live = false;
  private stopped = false;

  constructor(
    readonly disk: ClientDisk,
    private readonly token: string,
    private readonly pickUrl: () => string,
  ) {}

  /** Connects and resolves once the first `synced` arrived. */
  start(): Promise<void> {
    return new Promise((resolve) => this.open(resolve));
  }

  /** Queues a send; it goes out now if the socket is live, else after the next `ready`. */
  send(channelId: string, content: string): OutboxEntry {
    const entry = { seq: this.disk.nextSeq++, id: newId(), channelId, content };
    this.disk.outbox.push(entry);
    if (this.live) this.transmit(entry);
    return entry;
  }

  /** Closes without reconnecting; the disk keeps whatever was not acknowledged. */
  kill(): void {
    this.stopped = true;
    this.live = false;
    this.socket?.ws.terminate();
  }

  get pending(): number {
    return this.disk.outbox.length;
  }

  /** Whether the socket is up and past `ready` (sends go out at once). */
  get connected(): boolean {
    return this.live;
  }

  private transmit(entry: OutboxEntry): void {
    this.socket?.send({
      type: 'mutate',
      seq: entry.seq,
      name: 'message.send',
      args: { id: entry.id, channelId: entry.channelId, content: entry.content },
    });
  }

  private open(onSynced?: () => void): void {
    if (this.stopped) return;
    const socket = new Connection(this.pickUrl(), this.disk.clientId, (frame) =>
      this.onFrame(frame, onSynced),
    );
    this.socket = socket;
    socket
      .auth({ token: this.token, cursors: Object.fromEntries(this.disk.replica.cursors) })
      .catch(
        () => undefined, // A failed open ends in `closed`, which reconnects.
      );
    void socket.closed.then(() => {
      if (this.socket !== socket) return;
      this.live = false;
      if (this.stopped) return;
      this.reconnects++;
      // A short, jittered pause: fifty clients must not reconnect in lockstep.
      setTimeout(() => this.open(onSynced), 100 + Math.random() * 200);
    });
  }

  private onFrame(frame: DownMessage, onSynced?: () => void): void {
    // A killed process reads nothing more, even frames already in the socket buffer.
    if (this.stopped) return;
    const replica = this.disk.replica;
    if (frame.type === 'changes' && replica.cursors.get(frame.scope) === frame.from) {
      for (const c of frame.changes)
        if (c.entity === 'message' && c.op === 'upsert')
          this.deliveries.set(c.data.id, (this.deliveries.get(c.data.id) ?? 0) + 1);
    }
    const gaps = replica.gaps.length;
    replica.apply(frame);
    // A real client reconnects on a gap and resumes from its cursor.
    if (replica.gaps.length > gaps) this.socket?.ws.terminate();
    if (frame.type === 'ready') {
      this.live = true;
      for (const entry of this.disk.outbox) this.transmit(entry);
    } else if (frame.type === 'synced') {
      onSynced?.();
    } else if (frame.type === 'ack' || frame.type === 'reject') {
      const i = this.disk.outbox.findIndex((e) => e.seq === frame.seq);
      const entry = this.disk.outbox[i];
      if (!entry) return;
      this.disk.outbox.splice(i, 1);
      if (frame.type === 'ack') {
        this.acked.add(entry.id);
        this.onAck?.(this.acked.size);
      } else this.rejected.set(entry.id, `${frame.error.kind}: ${frame.error.message}`);
    }
  }
}

/** One connection of a {@link DurableClient}: the test kit's client, handing each frame over. */
class Connection extends ProtocolClient {
  constructor(
    url: string,
    clientId: string,
    private readonly handle: (frame: DownMessage) => void,
  ) {
    super(url, { clientId, perMessageDeflate: false });
  }

  protected override onFrame(frame: DownMessage): void {
    this.handle(frame);
  }
}
