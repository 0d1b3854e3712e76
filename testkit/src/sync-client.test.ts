import { describe, expect, it } from 'vitest';
import { syncSocketUrl } from './sync-client.ts';

describe('syncSocketUrl', () => {
  it.each([
    ['ws://127.0.0.1:4000/api/sync', 'ws://127.0.0.1:4000/api/sync'],
    ['http://127.0.0.1:4000', 'ws://127.0.0.1:4000/api/sync'],
    ['http://127.0.0.1:4000/', 'ws://127.0.0.1:4000/api/sync'],
    ['https://chat.example.org', 'wss://chat.example.org/api/sync'],
    ['http+unix:///tmp/echora.sock:', 'ws+unix:///tmp/echora.sock:/api/sync'],
  ])('%s → %s', (given, socket) => {
    expect(syncSocketUrl(given)).toBe(socket);
  });
});
