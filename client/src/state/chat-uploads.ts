import type { Chat } from './chat.svelte.ts';
import { uploadsFor, type Uploads } from './uploads.svelte.ts';

/** The signed-in view's one upload queue, created on first use. */
export function chatUploads(chat: Chat): Uploads {
  return uploadsFor(chat, () => ({
    userId: chat.selfId,
    replica: chat.replica,
    getToken: chat.session.getToken,
    send: (args) => chat.engine.mutate('message.send', args),
    onOnline: (cb) => chat.engine.onState((s) => s === 'online' && cb()),
  }));
}
