export * from './grant.ts';
export * from './state.ts';
export * from './signal-up.ts';
export * from './signal-down.ts';
export * from './close-codes.ts';
export * from './moderate.ts';
export * from './access.ts';
