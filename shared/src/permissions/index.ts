export * from './bits.ts';
export * from './resolve.ts';
export * from './checks.ts';
export * from './dm.ts';
