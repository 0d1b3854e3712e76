import { Dexie, type DexieOptions, type Table } from 'dexie';
import type { Attachment } from '@echora/shared';

/** One file of a queued message: its bytes until uploaded, then the server's record. */
export interface QueuedFile {
  key: string;
  name: string;
  type: string;
  size: number;
  blob: Blob;
  uploaded?: Attachment;
}

/**
 * A message with files, written while the files upload (or while offline).
 * Its `messageId` is fixed when queued, so whatever is retried, the server
 * sees one message.
 */
export interface QueuedMessage {
  messageId: string;
  userId: string;
  channelId: string;
  content: string;
  replyToId?: string;
  files: QueuedFile[];
  createdAt: number;
  /** Set when the server refused a file; the user retries or discards. */
  error?: string | undefined;
}

/** Its own IndexedDB database, so the replica's schema and wipes stay the engine's. */
export class UploadQueueDb extends Dexie {
  messages!: Table<QueuedMessage, string>;

  /** `options`: another IndexedDB (fake-indexeddb in tests). */
  constructor(name = 'echora-uploads', options?: DexieOptions) {
    super(name, options);
    this.version(1).stores({ messages: 'messageId, userId, createdAt' });
  }
}
