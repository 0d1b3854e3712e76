import { ApiError } from '../api/http.ts';

export interface Toast {
  id: number;
  message: string;
  tone: 'error' | 'info';
}

const TOAST_MS = 6000;

/** Short-lived notices; errors are shown with `role="alert"`. */
export class Toasts {
  items: Toast[] = $state([]);
  #next = 1;

  /** Shows a notice that disappears on its own. */
  show(message: string, tone: Toast['tone'] = 'info'): void {
    const id = this.#next++;
    this.items.push({ id, message, tone });
    setTimeout(() => this.dismiss(id), TOAST_MS);
  }

  dismiss(id: number): void {
    this.items = this.items.filter((t) => t.id !== id);
  }
}

/** The app-wide toasts. */
export const toasts = new Toasts();

/**
 * The one error handler of the UI: turns any error (typed wire error, API
 * error, network failure, bug) into a toast with a readable message.
 */
export function handleError(error: unknown, context?: string): void {
  const message = describeError(error);
  if (!(error instanceof ApiError) && !isWireError(error)) console.error(error);
  toasts.show(context ? `${context}: ${message}` : message, 'error');
}

/** A human message for an error of any shape. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError || isWireError(error)) return error.message;
  if (error instanceof TypeError) return 'Cannot reach the server. Check your connection.';
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}

function isWireError(value: unknown): value is { kind: string; message: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { kind?: unknown }).kind === 'string' &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}
