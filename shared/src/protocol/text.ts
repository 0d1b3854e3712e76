import { Type, type TStringOptions } from 'typebox';

/*
 * Control characters no text field holds: C0 (U+0000-U+001F), DEL and C1
 * (U+0080-U+009F). NUL is refused by Postgres in `text` and `jsonb`; the rest
 * are invisible, reorder terminal output (ESC, CSI) or hide text in logs and
 * notifications. Multi-line fields (message content, topics, bios, reasons)
 * keep tab, line feed and carriage return.
 */

/** The pattern of one-line text (names, titles): no control character at all. */
export const SINGLE_LINE_PATTERN = '^[^\\u0000-\\u001f\\u007f-\\u009f]*$';

/** The pattern of multi-line text: no control character but tab, LF and CR. */
export const MULTI_LINE_PATTERN =
  '^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$';

/** What a validator says about a string that breaks one of the patterns above. */
export const CONTROL_CHARACTERS_MESSAGE = 'must not contain control characters';

const singleLine = new RegExp(SINGLE_LINE_PATTERN, 'u');
const multiLine = new RegExp(MULTI_LINE_PATTERN, 'u');

/**
 * A string schema for one-line text, e.g. `singleLineText({ minLength: 1, maxLength: 100 })`.
 * TypeBox, Fastify's Ajv and the client all check the same pattern.
 */
export const singleLineText = (options: TStringOptions = {}) =>
  Type.String({ ...options, pattern: SINGLE_LINE_PATTERN });

/** A string schema for multi-line text (tab, LF and CR allowed; other controls refused). */
export const multiLineText = (options: TStringOptions = {}) =>
  Type.String({ ...options, pattern: MULTI_LINE_PATTERN });

/** True when `text` holds a character its field refuses (see {@link SINGLE_LINE_PATTERN}). */
export function hasControlCharacters(text: string, { multiline = false } = {}): boolean {
  return !(multiline ? multiLine : singleLine).test(text);
}
