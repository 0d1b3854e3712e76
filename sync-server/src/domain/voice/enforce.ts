import { COMMUNITY_SCOPE } from '@echora/shared';
import type { SfuAccessCommand, VoicePerms } from '@echora/shared/voice/index';
import type { Bus } from '../../bus/types.ts';
import type { Access, AccessCache } from '../permissions/access.ts';
import { voiceAccess } from './grant.ts';
import { postToSfu } from './sfu-command.ts';
import type { VoiceStateStore } from './state.ts';

/**
 * The same command for the same session is not sent again within this
 * window: the node's next report (right after it applies one) shows whether
 * it took, and a lost one is sent again after it.
 */
const RESEND_MS = 3_000;
/** Tries to get permission data at least as new as the latest community change. */
const FRESH_TRIES = 3;

export interface VoiceEnforcerDeps {
  bus: Bus;
  access: AccessCache;
  store: VoiceStateStore;
  secret: string;
  log(err: unknown, message: string): void;
}

/** Keeps voice sessions within what their users may do now. */
export interface VoiceEnforcer {
  stop(): void;
}

const samePerms = (a: VoicePerms, b: VoicePerms): boolean =>
  a.speak === b.speak && a.stream === b.stream && a.moderate === b.moderate;

/**
 * Holds voice to the permissions of the moment. After every community change
 * (bans, kicks, timeouts, roles, member roles, overrides, channels: each moves
 * the community scope) and every SFU report, this node recomputes what each
 * participant may do, for the SFU nodes it speaks for (those whose report it
 * took in, see `VoiceStateStore.held`), and posts `/internal/access` to the
 * node when it differs from what the node enforces: `null` perms end the
 * session (ban, kick, timeout, view or connect lost), others lower or raise
 * them. The node's reports carry the perms it enforces, so a lost command is
 * corrected by the next report (every few seconds); the grant's one-minute
 * lifetime bounds what is left should the node be unreachable.
 */
export function startVoiceEnforcer(deps: VoiceEnforcerDeps): VoiceEnforcer {
  const { access, store } = deps;
  /** The latest community version seen: a pass needs permission data at least this new. */
  let wanted = 0;
  let running = false;
  let again = false;
  let stopped = false;
  /** The last command per node, user and channel, to send each once per window. */
  const sent = new Map<string, { fingerprint: string; at: number }>();

  const schedule = (): void => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    void (async () => {
      try {
        do {
          again = false;
          try {
            await pass();
          } catch (err) {
            deps.log(err, 'voice access pass failed');
          }
        } while (again && !stopped);
      } finally {
        running = false;
      }
    })();
  };

  const fresh = async (): Promise<Access> => {
    let current = await access.get();
    // A reload that joined a load already in flight may predate the change.
    for (let i = 0; i < FRESH_TRIES && current.data.version < wanted; i++)
      current = await access.reload();
    return current;
  };

  const pass = async (): Promise<void> => {
    if (!store.held().some((h) => h.control !== undefined)) return;
    const current = await fresh();
    if (stopped) return;
    // Read after the (awaited) load: who is where may have moved meanwhile.
    const held = store.held().filter((h) => h.control !== undefined);
    const now = Date.now();
    const live = new Set<string>();
    const sends: Promise<void>[] = [];
    for (const { node, control, participants, perms } of held) {
      const enforced = new Map(perms?.map((p) => [`${p.userId} ${p.channelId}`, p.perms]));
      for (const { userId, channelId } of participants) {
        const key = `${node}\n${userId}\n${channelId}`;
        live.add(key);
        const decision = voiceAccess(current, userId, channelId, now);
        const actual = enforced.get(`${userId} ${channelId}`);
        let command: SfuAccessCommand | undefined;
        if (!decision.ok)
          command = { userId, channelId, perms: null, reason: decision.reason, at: now };
        // A node that does not report perms is only told to end sessions.
        else if (actual && !samePerms(actual, decision.perms))
          command = { userId, channelId, perms: decision.perms, at: now };
        if (!command) {
          sent.delete(key);
          continue;
        }
        const fingerprint = JSON.stringify([command.perms, command.reason]);
        const last = sent.get(key);
        if (last?.fingerprint === fingerprint && now - last.at < RESEND_MS) continue;
        sent.set(key, { fingerprint, at: now });
        sends.push(send(control ?? '', command));
      }
    }
    for (const key of sent.keys()) if (!live.has(key)) sent.delete(key);
    await Promise.all(sends);
  };

  const send = async (control: string, command: SfuAccessCommand): Promise<void> => {
    try {
      const response = await postToSfu(control, '/internal/access', deps.secret, command);
      if (!response.ok) throw new Error(`status ${response.status}`);
      await response.body?.cancel();
    } catch (err) {
      // The next report (or pass) tries again once the window has passed.
      deps.log(err, 'voice access command failed');
    }
  };

  const off = deps.bus.subscribe((event) => {
    if (event.type === 'changes' && event.scope === COMMUNITY_SCOPE) {
      wanted = Math.max(wanted, event.to);
      access.invalidate(event.to);
      schedule();
    } else if (event.type === 'voice') {
      schedule();
    }
  });
  return {
    stop() {
      stopped = true;
      off();
    },
  };
}
