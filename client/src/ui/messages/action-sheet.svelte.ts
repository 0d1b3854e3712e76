import type { LocalMessage } from '../../lib/engine-port.ts';
import type { Pane } from '../../state/reply.svelte.ts';

/** The message whose touch action sheet is open (one at a time), and the pane it lives in. */
class ActionSheetState {
  message: LocalMessage | null = $state(null);
  pane: Pane | null = null;

  open(message: LocalMessage, pane: Pane): void {
    this.pane = pane;
    this.message = message;
  }

  close(): void {
    this.message = null;
  }
}

export const actionSheet = new ActionSheetState();

/** A touch screen with no hover: message actions live in the sheet, not under each message. */
export const touchOnly = (): boolean => matchMedia('(hover: none)').matches;
