import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { forgetNotes, notesDbName } from './notes-storage.ts';

function create(factory: IDBFactory, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = factory.open(name, 1);
    request.onupgradeneeded = () => request.result.createObjectStore('updates');
    request.onsuccess = () => {
      request.result.close();
      resolve();
    };
    request.onerror = () => reject(request.error ?? new Error(`could not open ${name}`));
  });
}

const names = async (factory: IDBFactory) => (await factory.databases()).map((d) => d.name).sort();

describe('forgetNotes', () => {
  it("deletes every notes copy of that user and nobody else's, nor the replica", async () => {
    const factory = new IDBFactory();
    await create(factory, notesDbName('alice', 'c1'));
    await create(factory, notesDbName('alice', 'c2'));
    await create(factory, notesDbName('alicia', 'c1'));
    await create(factory, notesDbName('bob', 'c1'));
    await create(factory, 'echora-replica');

    expect(await forgetNotes('alice', factory)).toBe(2);
    expect(await names(factory)).toEqual(
      [notesDbName('alicia', 'c1'), notesDbName('bob', 'c1'), 'echora-replica'].sort(),
    );
    expect(await forgetNotes('alice', factory)).toBe(0);
  });

  it('does nothing where the browser cannot list databases', async () => {
    const factory = new IDBFactory();
    await create(factory, notesDbName('alice', 'c1'));
    const blind = Object.assign(Object.create(factory) as IDBFactory, { databases: undefined });
    expect(await forgetNotes('alice', blind)).toBe(0);
    expect(await names(factory)).toEqual([notesDbName('alice', 'c1')]);
  });
});
