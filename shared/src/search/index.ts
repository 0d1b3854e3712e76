export * from './tokenize.ts';
export * from './query.ts';
export * from './highlight.ts';
