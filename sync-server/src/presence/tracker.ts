import type { PresenceStatus } from '@echora/shared';
import type { Bus, BusEvent } from '../bus/types.ts';
import type { NodeView, PresenceStore } from './store.ts';

export interface PresenceOptions {
  nodeId: string;
  bus: Bus;
  store: PresenceStore;
  /** How often this node refreshes its entries and checks other nodes are alive. */
  refreshMs: number;
  /** Called with a user's new status across all nodes, whenever it changes. */
  onChange: (userId: string, status: PresenceStatus) => void;
}

type ConnStatus = 'online' | 'idle';

/** Online beats idle beats offline: a user is as present as their most present connection. */
function merge(statuses: Iterable<PresenceStatus>): PresenceStatus {
  let out: PresenceStatus = 'offline';
  for (const s of statuses) {
    if (s === 'online') return 'online';
    if (s === 'idle') out = 'idle';
  }
  return out;
}

/**
 * Presence per user across all their connections and nodes. This node's
 * connections are counted here; every node's per-user status travels the bus
 * and is kept in the store, so a crashed node's users go offline when its
 * entries expire.
 */
export class PresenceTracker {
  private readonly local = new Map<string, Map<string, ConnStatus>>();
  private readonly view: NodeView = new Map();
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly options: PresenceOptions) {}

  /** Loads what other nodes hold, then follows the bus. */
  async start(): Promise<void> {
    const early: BusEvent[] = [];
    this.unsubscribe = this.options.bus.subscribe((e) => {
      if (e.type === 'presence') early.push(e);
    });
    const loaded = await this.options.store.load();
    loaded.delete(this.options.nodeId);
    for (const [nodeId, users] of loaded) this.view.set(nodeId, users);
    // Events that raced the load are newer than it; apply them after.
    this.unsubscribe();
    for (const e of early) if (e.type === 'presence') this.apply(e.nodeId, e.userId, e.status);
    this.unsubscribe = this.options.bus.subscribe((e) => {
      if (e.type === 'presence') this.apply(e.nodeId, e.userId, e.status);
    });
    this.timer = setInterval(() => void this.tick().catch(logError), this.options.refreshMs);
    this.timer.unref();
  }

  /** Says goodbye for this node's users, so other nodes need not wait for the expiry. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.unsubscribe?.();
    const { nodeId, store, bus } = this.options;
    const users = [...this.local.keys()];
    this.local.clear();
    await store.remove(nodeId).catch(logError);
    for (const userId of users) {
      await bus.publish({ type: 'presence', nodeId, userId, status: 'offline' }).catch(logError);
    }
    await store.close();
  }

  /** A connection of `userId` opened, or changed between online and idle. */
  set(connId: string, userId: string, status: ConnStatus): void {
    const conns = this.local.get(userId) ?? new Map<string, ConnStatus>();
    const before = merge(conns.values());
    conns.set(connId, status);
    this.local.set(userId, conns);
    this.localChanged(userId, before, merge(conns.values()));
  }

  /** A connection of `userId` closed. */
  remove(connId: string, userId: string): void {
    const conns = this.local.get(userId);
    if (!conns?.has(connId)) return;
    const before = merge(conns.values());
    conns.delete(connId);
    if (conns.size === 0) this.local.delete(userId);
    this.localChanged(userId, before, merge(conns.values()));
  }

  /** The user's status across every node. */
  status(userId: string): PresenceStatus {
    const statuses: PresenceStatus[] = [];
    for (const users of this.view.values()) {
      const s = users.get(userId);
      if (s) statuses.push(s);
    }
    return merge(statuses);
  }

  /** Everyone not offline. */
  snapshot(): { userId: string; status: PresenceStatus }[] {
    const users = new Set<string>();
    for (const nodeUsers of this.view.values()) for (const id of nodeUsers.keys()) users.add(id);
    return [...users].map((userId) => ({ userId, status: this.status(userId) }));
  }

  private localChanged(userId: string, before: PresenceStatus, after: PresenceStatus): void {
    if (before === after) return;
    const { nodeId, store, bus } = this.options;
    // Store first, then publish: a node that loads after our event still sees the entry.
    void store
      .write(nodeId, userId, after)
      .then(() => bus.publish({ type: 'presence', nodeId, userId, status: after }))
      .catch(logError);
  }

  private apply(nodeId: string, userId: string, status: PresenceStatus): void {
    const before = this.status(userId);
    const users = this.view.get(nodeId) ?? new Map<string, PresenceStatus>();
    if (status === 'offline') users.delete(userId);
    else users.set(userId, status);
    if (users.size > 0) this.view.set(nodeId, users);
    else this.view.delete(nodeId);
    const after = this.status(userId);
    if (after !== before) this.options.onChange(userId, after);
  }

  private async tick(): Promise<void> {
    const { nodeId, store } = this.options;
    const mine = new Map<string, PresenceStatus>();
    for (const [userId, conns] of this.local) mine.set(userId, merge(conns.values()));
    await store.refresh(nodeId, mine);
    const others = [...this.view.keys()].filter((id) => id !== nodeId);
    const alive = await store.alive(others);
    for (const id of others) {
      if (alive.has(id)) continue;
      for (const userId of [...(this.view.get(id)?.keys() ?? [])])
        this.apply(id, userId, 'offline');
    }
  }
}

function logError(err: unknown): void {
  console.error('presence', err);
}
