import { PROTOCOL_VERSION } from '@echora/shared';

/** What checking a community's address found. */
export type ServerCheck = { ok: true; origin: string } | { ok: false; problem: string };

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
/** Long enough for a slow phone network, short enough that the screen does not hang. */
const TIMEOUT_MS = 10_000;

/**
 * The origin a typed address means (`chat.example.org` is
 * `https://chat.example.org`), or a problem to show. Only https, except on
 * this machine: the phone apps' web view refuses plain http.
 */
export function parseAddress(input: string): { origin: string } | { problem: string } {
  const text = input.trim();
  const example = "Enter the community's address, such as https://chat.example.org.";
  if (!text) return { problem: example };
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
  } catch {
    return { problem: `"${text}" is not an address. ${example}` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { problem: example };
  if (url.protocol === 'http:' && !LOOPBACK.has(url.hostname)) {
    return { problem: `Use https:// for ${url.host}: the app does not send chats unencrypted.` };
  }
  if (url.username || url.password) return { problem: 'Leave the user name out of the address.' };
  return { origin: url.origin };
}

/**
 * Checks that `input` is an Echora server this app can talk to: `/healthz`
 * answers, and `/api/version` names Echora with this app's sync protocol.
 * Never throws; every failure is a sentence for the person typing.
 */
export async function checkServer(
  input: string,
  fetchFn: typeof fetch = fetch,
): Promise<ServerCheck> {
  const parsed = parseAddress(input);
  if ('problem' in parsed) return { ok: false, problem: parsed.problem };
  const { origin } = parsed;
  const host = new URL(origin).host;
  const get = (path: string) =>
    fetchFn(`${origin}${path}`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  try {
    const health = await get('/healthz');
    if (health.status === 404) return notEchora(host);
    if (!health.ok) {
      return {
        ok: false,
        problem: `${host} is not answering properly (${health.status}). Try again later.`,
      };
    }
    const response = await get('/api/version');
    const version: unknown = response.ok ? await response.json().catch(() => null) : null;
    const { app, protocol } = (version ?? {}) as { app?: unknown; protocol?: unknown };
    if (app !== 'echora' || typeof protocol !== 'number') return notEchora(host);
    if (protocol > PROTOCOL_VERSION) {
      return { ok: false, problem: `${host} runs a newer Echora. Update this app to join it.` };
    }
    if (protocol < PROTOCOL_VERSION) {
      return {
        ok: false,
        problem: `${host} runs an older Echora than this app. Ask its operator to update it.`,
      };
    }
    return { ok: true, origin };
  } catch {
    return {
      ok: false,
      problem: `Could not reach ${host}. Check the address and your connection.`,
    };
  }
}

function notEchora(host: string): ServerCheck {
  return { ok: false, problem: `${host} is not an Echora community.` };
}
