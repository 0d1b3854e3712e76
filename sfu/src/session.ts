import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import { validator } from '@echora/shared';
import {
  VoiceCloseCode,
  voiceCloseReason,
  grantIssuedMs,
  joinSignal,
  signalUp,
  type MediaSource,
  type SignalDown,
  type SignalUp,
  type VoiceCloseName,
  type VoiceGrantClaims,
  type VoiceParticipant,
  type VoicePerms,
  type VoiceRevokeReason,
} from '@echora/shared/voice/index';
import type { AccessLedger } from './access.ts';
import { CLOCK_TOLERANCE_S, verifyGrant } from './grants.ts';
import type { MediaEngine, MediaPeer } from './media/engine.ts';
import { NegotiationQueue } from './negotiation.ts';
import type { Member, MemberState, Moderation, Room } from './room.ts';

const checkJoin = validator(joinSignal);
const checkSignal = validator(signalUp);

/** A client has this long to send its `join`. */
const JOIN_TIMEOUT_MS = 10_000;
/** A media connection `disconnected` this long is treated as dropped. */
const DISCONNECT_GRACE_MS = 8_000;

export interface SessionContext {
  engine: MediaEngine;
  secret: string;
  /** The host this node answers as, to check the grant's node; undefined skips the check. */
  nodeHost: string | undefined;
  room(channelId: string): Room;
  /** A moderator's standing mute/deafen of `userId` on this node, applied when they join. */
  moderation(userId: string): Moderation | undefined;
  /** The sync server's access commands: a grant older than one is held to it. */
  ledger: AccessLedger;
  /** Called once the session is over (to drop empty rooms). */
  onClosed(room: Room): void;
  log(message: string): void;
}

/**
 * One client's signaling socket and media connection. The first frame must
 * be a `join` with a valid grant; then the SFU offers, the client answers.
 */
export class Session implements Member {
  readonly sessionId = randomUUID();
  readonly joinedAt = Date.now();
  readonly publishing = new Set<MediaSource>();
  state: MemberState = {
    muted: false,
    deafened: false,
    speaking: false,
    serverMuted: false,
    serverDeafened: false,
  };
  userId = '';
  perms: VoicePerms = { speak: false, stream: false, moderate: false };
  /** Epoch ms the grant in use was signed at. */
  grantIssuedAt = 0;
  /** Epoch ms the grant in use expires at (`exp`); the session ends then unless renewed. */
  expiresAt = 0;
  peer!: MediaPeer;
  private room: Room | undefined;
  private queue: NegotiationQueue | undefined;
  private closed = false;
  private frames: Promise<void> = Promise.resolve();
  private disconnectTimer: NodeJS.Timeout | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  private readonly joinTimer: NodeJS.Timeout;

  constructor(
    private readonly ws: WebSocket,
    private readonly ctx: SessionContext,
  ) {
    this.joinTimer = setTimeout(() => this.close('timeout', 'no join in time'), JOIN_TIMEOUT_MS);
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? '' : (data as Buffer).toString('utf8');
      // Frames are handled one after another: a `publish` sent right behind
      // `join` must wait for the grant check, not be taken for a second join.
      this.frames = this.frames
        .then(() => this.onFrame(text))
        .catch((error: unknown) => {
          ctx.log(`session ${this.sessionId}: ${String(error)}`);
          this.close('badHandshake', 'the frame could not be handled');
        });
    });
    ws.on('close', () => this.cleanUp());
    ws.on('error', () => this.cleanUp());
  }

  private async onFrame(text: string): Promise<void> {
    if (this.closed) return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      this.close('badHandshake', 'frames are JSON');
      return;
    }
    if (!this.room) {
      await this.join(value);
      return;
    }
    const checked = checkSignal(value);
    if (!checked.ok) {
      this.send({ type: 'error', kind: 'invalid', message: checked.error.message });
      return;
    }
    await this.handle(checked.value);
  }

  private async join(value: unknown): Promise<void> {
    const checked = checkJoin(value);
    if (!checked.ok) {
      this.close('badHandshake', 'the first frame must be a join');
      return;
    }
    const grant = await verifyGrant(checked.value.grant, this.ctx.secret, this.ctx.nodeHost);
    if (!grant.ok) {
      this.close(grant.reason, grant.message);
      return;
    }
    if (this.closed) return;
    clearTimeout(this.joinTimer);
    // Checked after the (async) signature check, so a command that came meanwhile counts.
    const admitted = this.ctx.ledger.admit(grant.claims);
    if (!admitted.ok) {
      this.close('accessRevoked', admitted.reason);
      return;
    }
    this.enter(
      grant.claims,
      admitted.perms,
      checked.value.muted ?? false,
      checked.value.deafened ?? false,
    );
  }

  private enter(
    claims: VoiceGrantClaims,
    perms: VoicePerms,
    muted: boolean,
    deafened: boolean,
  ): void {
    this.userId = claims.sub;
    this.perms = perms;
    this.useGrant(claims);
    this.state.muted = muted;
    this.state.deafened = deafened;
    // Muted if this node or the grant (the sync server's view of every node) says so:
    // a mute set on another node follows the user here; a moderator lifts it here.
    const moderation = this.ctx.moderation(claims.sub);
    this.state.serverMuted = (moderation?.serverMuted ?? false) || (claims.mod?.mute ?? false);
    this.state.serverDeafened =
      (moderation?.serverDeafened ?? false) || (claims.mod?.deafen ?? false);
    const room = this.ctx.room(claims.ch);
    // One connection per user per channel: a second tab or a reconnect takes over.
    const previous = room.byUser(claims.sub);
    if (previous instanceof Session) previous.close('replaced', 'joined from elsewhere');
    this.room = room;
    this.peer = this.ctx.engine.createPeer(this.sessionId, {
      onTrack: (track) => {
        if (this.publishing.has(track.source)) room.addTrack(this, track);
      },
      onConnectionState: (state) => this.onMediaState(state),
    });
    this.queue = new NegotiationQueue(
      (answer) => this.offerRound(answer),
      (error) => {
        if (this.closed) return;
        this.ctx.log(`negotiation of ${this.sessionId} failed: ${String(error)}`);
        this.close('mediaFailed', 'negotiation failed');
      },
    );
    this.send({
      type: 'joined',
      userId: claims.sub,
      channelId: claims.ch,
      perms,
      participants: room.participants(),
    });
    room.add(this);
  }

  private async offerRound(answer: () => Promise<string>): Promise<void> {
    const room = this.room;
    if (!room || this.closed || !this.peer.needsOffer) return;
    const offer = await this.peer.createOffer();
    if (this.closed) return;
    this.send({
      type: 'offer',
      sdp: offer.sdp,
      publish: offer.publish,
      tracks: offer.subscriptions.flatMap(({ mid, trackId }) => {
        const about = room.describe(trackId);
        return about ? [{ mid, ...about }] : [];
      }),
    });
    const sdp = await answer();
    if (!this.closed) await this.peer.applyAnswer(sdp);
  }

  private async handle(signal: SignalUp): Promise<void> {
    const room = this.room;
    if (!room) return;
    switch (signal.type) {
      case 'answer':
        if (!this.queue?.answer(signal.sdp))
          this.send({ type: 'error', kind: 'protocol', message: 'no offer is waiting' });
        return;
      case 'candidate':
        await this.peer.addCandidate(signal.candidate);
        return;
      case 'publish': {
        const allowed = signal.source === 'mic' ? this.perms.speak : this.perms.stream;
        if (!allowed) {
          const what = signal.source === 'mic' ? 'speak' : 'stream';
          this.send({ type: 'error', kind: 'forbidden', message: `you may not ${what} here` });
          return;
        }
        this.publishing.add(signal.source);
        this.peer.receive(signal.source);
        this.negotiate();
        return;
      }
      case 'unpublish':
        this.publishing.delete(signal.source);
        this.peer.stopReceiving(signal.source);
        room.endSource(this, signal.source);
        this.negotiate();
        return;
      case 'state':
        if (signal.muted !== undefined) this.state.muted = signal.muted;
        if (signal.deafened !== undefined) this.state.deafened = signal.deafened;
        if (signal.speaking !== undefined) this.state.speaking = signal.speaking;
        room.changed();
        return;
      case 'grant':
        await this.renew(signal.grant);
        return;
      case 'leave':
        this.close('normal', 'left');
        return;
    }
  }

  /**
   * A renewed grant: same user, same channel, this node, not older than the
   * one in use (an old grant kept by a client must not bring back old perms).
   * Its perms replace the current ones; a refused renewal leaves the session
   * as it is, to end at its grant's expiry.
   */
  private async renew(token: string): Promise<void> {
    const grant = await verifyGrant(token, this.ctx.secret, this.ctx.nodeHost);
    if (this.closed) return;
    if (!grant.ok) {
      this.send({ type: 'error', kind: 'invalid', message: grant.message });
      return;
    }
    const claims = grant.claims;
    if (claims.sub !== this.userId || claims.ch !== this.room?.channelId) {
      this.send({ type: 'error', kind: 'forbidden', message: 'that grant is for someone else' });
      return;
    }
    if (grantIssuedMs(claims) < this.grantIssuedAt) {
      this.send({ type: 'error', kind: 'invalid', message: 'an older grant than the one in use' });
      return;
    }
    const admitted = this.ctx.ledger.admit(claims);
    if (!admitted.ok) {
      this.revoke(admitted.reason);
      return;
    }
    this.useGrant(claims);
    if (!this.applyPerms(admitted.perms)) this.sendPerms();
  }

  /** Takes the grant's times and (re)arms the end of the session at its expiry. */
  private useGrant(claims: VoiceGrantClaims): void {
    this.grantIssuedAt = grantIssuedMs(claims);
    this.expiresAt = claims.exp * 1000;
    clearTimeout(this.expiryTimer);
    // Skew is forgiven as at join; past it, only a renewal keeps the session.
    const left = this.expiresAt + CLOCK_TOLERANCE_S * 1000 - Date.now();
    this.expiryTimer = setTimeout(
      () => this.close('grantExpired', 'the grant was not renewed in time'),
      Math.max(0, left),
    );
  }

  /**
   * Takes new perms (a renewal, or the sync server's command). Losing
   * `stream` ends the camera and screen at once; losing `speak` stops the
   * microphone at the room's gate. Returns whether anything changed (then the
   * client and the room are told).
   */
  applyPerms(perms: VoicePerms): boolean {
    const room = this.room;
    if (!room || this.closed) return false;
    const before = this.perms;
    if (
      before.speak === perms.speak &&
      before.stream === perms.stream &&
      before.moderate === perms.moderate
    )
      return false;
    this.perms = perms;
    if (!perms.stream) {
      let ended = false;
      for (const source of ['camera', 'screen'] as const) {
        if (!this.publishing.delete(source)) continue;
        this.peer.stopReceiving(source);
        room.endSource(this, source);
        ended = true;
      }
      if (ended) this.negotiate();
    }
    if (!perms.speak && this.state.speaking) this.state.speaking = false;
    this.sendPerms();
    room.changed();
    return true;
  }

  /** Ends the session because the sync server took the user's access away. */
  revoke(reason: VoiceRevokeReason): void {
    this.close('accessRevoked', reason);
  }

  private sendPerms(): void {
    this.send({ type: 'perms', perms: this.perms, expiresAt: this.expiresAt });
  }

  private onMediaState(state: 'connected' | 'disconnected' | 'failed' | 'closed'): void {
    clearTimeout(this.disconnectTimer);
    if (state === 'failed') this.close('mediaFailed', 'media connection failed');
    else if (state === 'disconnected')
      this.disconnectTimer = setTimeout(
        () => this.close('mediaFailed', 'media connection lost'),
        DISCONNECT_GRACE_MS,
      );
  }

  negotiate(): void {
    this.queue?.request();
  }

  notify(participants: VoiceParticipant[]): void {
    this.send({ type: 'participants', participants });
  }

  private send(signal: SignalDown): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(signal));
  }

  /** Closes the socket with a named reason and leaves the room. */
  close(name: VoiceCloseName, message: string): void {
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING)
      this.ws.close(VoiceCloseCode[name], `${voiceCloseReason[name]}: ${message}`.slice(0, 120));
    this.cleanUp();
  }

  private cleanUp(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.joinTimer);
    clearTimeout(this.disconnectTimer);
    clearTimeout(this.expiryTimer);
    this.queue?.stop();
    const room = this.room;
    if (room) {
      room.remove(this);
      this.ctx.onClosed(room);
      this.peer.close().catch(() => {
        // Closing a connection that already failed may throw; it is gone either way.
      });
    }
  }
}
