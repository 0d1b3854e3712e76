import { describe, expect, it } from 'vitest';
import { ephemeralMutations, mutationNames } from '@echora/shared';
import { mutatorOf, mutators } from './index.ts';

describe('the mutator registry', () => {
  const durable = mutationNames.filter((name) => !ephemeralMutations.has(name));

  it('has a mutator for every durable mutation, and none for another name', () => {
    expect(durable.length).toBeGreaterThan(0);
    expect(Object.keys(mutators).sort()).toEqual([...durable].sort());
  });

  it.each(durable)('%s has its effect and the entities it touches', (name) => {
    const mutator = mutatorOf(name);
    expect(typeof mutator?.touches).toBe('function');
    expect(typeof mutator?.apply).toBe('function');
  });

  it('an ephemeral mutation has no mutator: it is never queued', () => {
    for (const name of ephemeralMutations) expect(mutatorOf(name)).toBeUndefined();
    expect(ephemeralMutations.size).toBeGreaterThan(0);
  });
});
