export * from './parse.ts';
export * from './resolve.ts';
