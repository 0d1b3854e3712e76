/**
 * Error kinds sent on the wire as `{ error: { kind, message } }` (REST) or in a
 * `reject`/`error` frame (sync socket). Clients branch on `kind`, never on text.
 */
export const ErrorKind = {
  /** The request or message does not match its schema, or a value breaks a rule. */
  invalid: 'invalid',
  /** No valid credentials, or they expired. */
  unauthorized: 'unauthorized',
  /** Authenticated, but not allowed to do this. */
  forbidden: 'forbidden',
  /** The target does not exist, or the caller may not know it exists. */
  not_found: 'not_found',
  /** The request collides with existing state (a taken username, a used invite). */
  conflict: 'conflict',
  /** Too many requests; `retryAfterMs` says when to try again. */
  rate_limited: 'rate_limited',
  /** A body, frame, file or message is over its size cap. */
  too_large: 'too_large',
  /** The upload would take the user past their storage quota (`UPLOAD_QUOTA_MB`); delete files first. */
  quota_exceeded: 'quota_exceeded',
  /** The client speaks another protocol version, or broke the protocol's order. */
  protocol: 'protocol',
  /** The server or a dependency is unavailable for now; try again later. */
  unavailable: 'unavailable',
  /** A bug on the server. Details are logged, never sent. */
  internal: 'internal',
} as const;
export type ErrorKind = (typeof ErrorKind)[keyof typeof ErrorKind];

/** Why a user is no longer a member (`kick`: removed, an invite brings them back), and of what. */
export interface Removal {
  reason: 'ban' | 'kick';
  /** The community's name. */
  community: string;
}

export interface WireError {
  kind: ErrorKind;
  message: string;
  /** Set with `rate_limited`. */
  retryAfterMs?: number;
  /** Set with `forbidden` when the caller was kicked or banned: the app forgets what it held. */
  removal?: Removal;
}

/** An expected failure carried as a value through server code, then sent as a WireError. */
export class AppError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'AppError';
  }

  toWire(): WireError {
    return this.retryAfterMs === undefined
      ? { kind: this.kind, message: this.message }
      : { kind: this.kind, message: this.message, retryAfterMs: this.retryAfterMs };
  }
}

/** HTTP status for each kind. */
export const httpStatus: Record<ErrorKind, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  too_large: 413,
  quota_exceeded: 413,
  protocol: 400,
  unavailable: 503,
  internal: 500,
};

/** The caller was kicked or banned: `forbidden`, with the removal it can show. */
export class RemovedError extends AppError {
  constructor(readonly removal: Removal) {
    super(
      'forbidden',
      removal.reason === 'ban'
        ? `You were banned from ${removal.community}.`
        : `You were removed from ${removal.community}.`,
    );
    this.name = 'RemovedError';
  }

  override toWire(): WireError {
    return { ...super.toWire(), removal: this.removal };
  }
}
