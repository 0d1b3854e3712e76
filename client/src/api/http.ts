import type { Removal, WireError } from '@echora/shared';
import { apiBase } from '../lib/config.ts';

/** A failed API call, carrying the server's typed error. */
export class ApiError extends Error {
  constructor(
    readonly kind: WireError['kind'],
    message: string,
    readonly status: number,
    /** Set when the caller was kicked or banned. */
    readonly removal?: Removal,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** True when the request never reached the server (offline, server down). */
export function isNetworkError(error: unknown): boolean {
  return error instanceof TypeError || (error instanceof ApiError && error.kind === 'unavailable');
}

/**
 * Calls the REST API with JSON in and out. Throws `ApiError` with the server's
 * `{ error: { kind, message } }`, or a `TypeError` when the network fails.
 */
export async function apiFetch<T>(
  path: string,
  init: { method?: string; body?: unknown; token?: string; base?: string } = {},
): Promise<T> {
  const headers: Record<string, string> = {};
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  const response = await fetch(`${init.base ?? apiBase}${path}`, {
    method: init.method ?? 'GET',
    headers,
    // The refresh token also travels as an httpOnly cookie.
    credentials: 'include',
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  const data: unknown = text ? safeJson(text) : undefined;
  if (!response.ok) {
    const error = (data as { error?: Partial<WireError> } | undefined)?.error;
    const kind = error?.kind ?? (response.status >= 500 ? 'unavailable' : 'invalid');
    throw new ApiError(
      kind,
      error?.message ?? `Request failed (${response.status})`,
      response.status,
      validRemoval(error?.removal),
    );
  }
  return data as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The server's removal, if it is one (anything else is ignored). */
function validRemoval(value: unknown): Removal | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { reason, community } = value as Partial<Removal>;
  if ((reason !== 'ban' && reason !== 'kick') || typeof community !== 'string') return undefined;
  return { reason, community };
}
