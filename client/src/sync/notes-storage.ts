/** The device copy (y-indexeddb) of one channel's notes for one user. */
export function notesDbName(userId: string, channelId: string): string {
  return `echora-notes:${userId}:${channelId}`;
}

/**
 * Deletes every channel's notes copy this device keeps for `userId` (sign-out,
 * kick or ban), and answers how many there were. A copy still open is deleted
 * once its pane closes. Browsers without `indexedDB.databases()` keep them.
 */
export async function forgetNotes(
  userId: string,
  factory: IDBFactory | undefined = globalThis.indexedDB,
): Promise<number> {
  if (typeof factory?.databases !== 'function') return 0;
  const prefix = notesDbName(userId, '');
  const names = (await factory.databases()).flatMap((d) =>
    d.name?.startsWith(prefix) ? [d.name] : [],
  );
  await Promise.all(
    names.map(
      (name) =>
        new Promise<void>((resolve, reject) => {
          const request = factory.deleteDatabase(name);
          request.onsuccess = () => resolve();
          // Open elsewhere: the deletion is queued and completes when it closes.
          request.onblocked = () => resolve();
          request.onerror = () => reject(request.error ?? new Error(`could not delete ${name}`));
        }),
    ),
  );
  return names.length;
}
