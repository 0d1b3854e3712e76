export * from './rules.ts';
export * from './reactions.ts';
