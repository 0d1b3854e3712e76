/** The password test users get unless a test gives one: long enough for any sane policy. */
export const TEST_PASSWORD = 'correct horse battery staple';

/** What `POST /api/auth/register` and `/login` answer (the refresh token stays in the cookie). */
export interface Session {
  user: { id: string; username: string; isOwner: boolean };
  accessToken: string;
}

/** Registers `username` on the server at `origin` (http://host:port); throws unless 201. */
export function register(
  origin: string,
  username: string,
  password = TEST_PASSWORD,
): Promise<Session> {
  return postAuth(origin, 'register', { username, password }, 201);
}

/** Logs `username` in: a second session, e.g. for a raw socket beside a browser. */
export function login(
  origin: string,
  username: string,
  password = TEST_PASSWORD,
): Promise<Session> {
  return postAuth(origin, 'login', { username, password }, 200);
}

async function postAuth(
  origin: string,
  route: 'register' | 'login',
  body: { username: string; password: string },
  status: number,
): Promise<Session> {
  const response = await fetch(new URL(`/api/auth/${route}`, origin), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== status)
    throw new Error(`POST /api/auth/${route} ${body.username} -> ${response.status}: ${text}`);
  return JSON.parse(text) as Session;
}
