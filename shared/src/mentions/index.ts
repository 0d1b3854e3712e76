export * from './parse.ts';
export * from './resolve.ts';
export * from './plain-text.ts';
