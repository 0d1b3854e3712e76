import { expect, it } from 'vitest';
import { typingText } from './typing-text.ts';

it('names one or two typists and summarises more', () => {
  expect(typingText([])).toBe('');
  expect(typingText(['Alice'])).toBe('Alice is typing…');
  expect(typingText(['Alice', 'Bob'])).toBe('Alice and Bob are typing…');
  expect(typingText(['Alice', 'Bob', 'Carol'])).toBe('Several people are typing…');
});
