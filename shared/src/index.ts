export * from './errors.ts';
export * from './ids.ts';
export * from './protocol/index.ts';
export * from './permissions/index.ts';
