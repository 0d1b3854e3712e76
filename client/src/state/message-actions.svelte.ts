import { Limits } from '@echora/shared';
import type { EnginePort, LocalMessage } from '../lib/engine-port.ts';
import { handleError, toasts } from './toasts.svelte.ts';

/** Editing and deleting your own messages, and the fate of failed sends. */
export class MessageActions {
  #editingId: string | null = $state(null);
  #confirmingDelete: LocalMessage | null = $state(null);

  constructor(private readonly engine: EnginePort) {}

  /** The message being edited in place, if any. */
  get editingId(): string | null {
    return this.#editingId;
  }

  /** The message waiting for delete confirmation, if any. */
  get confirmingDelete(): LocalMessage | null {
    return this.#confirmingDelete;
  }

  startEdit(id: string): void {
    this.#editingId = id;
  }

  cancelEdit(): void {
    this.#editingId = null;
  }

  /** Saves an edit; empty content asks to delete instead, unchanged content just closes. */
  saveEdit(message: LocalMessage, content: string): void {
    const trimmed = content.trim();
    this.#editingId = null;
    if (trimmed === message.content.trim()) return;
    if (!trimmed) {
      this.#confirmingDelete = message;
      return;
    }
    if (trimmed.length > Limits.messageLength) {
      toasts.show(`A message can be at most ${Limits.messageLength} characters.`, 'error');
      return;
    }
    this.engine.mutate('message.edit', { id: message.id, content: trimmed }).then(
      (r) => {
        if (!r.ok) handleError(r.error, 'Edit refused');
      },
      (e: unknown) => handleError(e),
    );
  }

  askDelete(message: LocalMessage): void {
    this.#confirmingDelete = message;
  }

  cancelDelete(): void {
    this.#confirmingDelete = null;
  }

  /** Deletes the message awaiting confirmation (a failed or pending send is just discarded). */
  confirmDelete(): void {
    const message = this.#confirmingDelete;
    this.#confirmingDelete = null;
    if (!message) return;
    if (message.status !== 'sent') {
      this.discard(message.id);
      return;
    }
    this.engine.mutate('message.delete', { id: message.id }).then(
      (r) => {
        if (!r.ok) handleError(r.error, 'Delete refused');
      },
      (e: unknown) => handleError(e),
    );
  }

  /** Takes the link previews off one of your messages (the server checks you wrote it). */
  removePreview(message: Pick<LocalMessage, 'id'>): void {
    this.engine.mutate('message.removePreview', { id: message.id }).then(
      (r) => {
        if (!r.ok) handleError(r.error, 'Removing the preview refused');
      },
      (e: unknown) => handleError(e),
    );
  }

  retry(id: string): void {
    this.engine.retry(id).catch((e: unknown) => handleError(e));
  }

  discard(id: string): void {
    this.engine.discard(id).catch((e: unknown) => handleError(e));
  }
}
