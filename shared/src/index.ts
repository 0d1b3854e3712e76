export * from './errors.ts';
export * from './ids.ts';
export * from './protocol/index.ts';
export * from './permissions/index.ts';
export * from './emoji/index.ts';
export * from './mentions/index.ts';
export * from './search/index.ts';
