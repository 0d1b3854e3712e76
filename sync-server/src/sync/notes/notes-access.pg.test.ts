import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Permission } from '@echora/shared';
import { describeEachDb } from '../../../test/helpers/db.ts';
import { createTestApp, registerUser } from '../../../test/helpers/app.ts';
import { SyncClient, until } from '../../../test/helpers/sync-client.ts';
import { NotesPeer } from '../../../test/helpers/notes-peer.ts';

/** Access follows roles: losing a role takes the document away, or the pen, within a second. */
describeEachDb('notes: access lost through a role change', (getDb) => {
  let app: FastifyInstance;
  let url: string;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };
  let owner: SyncClient;
  let everyone: string;
  let general: string;
  const clients: SyncClient[] = [];

  const connect = async (token: string) => {
    const c = await (await SyncClient.connect(url, { token })).synced();
    clients.push(c);
    return c;
  };
  const peer = async (token: string, channelId: string) => {
    const p = new NotesPeer(channelId);
    await p.attach(await connect(token));
    return p;
  };
  const acked = async (...answers: Promise<{ type: string }>[]) => {
    for (const a of answers) expect((await a).type).toBe('ack');
  };
  /**
   * A channel where @everyone lacks `permission` and a new role has it; Bob
   * gets the role. Returns the channel and the role.
   */
  const channelGrantedByRole = async (name: string, permission: number) => {
    const channelId = crypto.randomUUID();
    const role = crypto.randomUUID();
    await acked(owner.mutate('channel.create', { id: channelId, name, kind: 'text' }));
    await acked(owner.mutate('role.create', { id: role, name: `${name} crew` }));
    await acked(
      owner.mutate('channel.overrides', {
        channelId,
        targetType: 'role',
        targetId: everyone,
        allow: 0,
        deny: permission,
      }),
    );
    await acked(
      owner.mutate('channel.overrides', {
        channelId,
        targetType: 'role',
        targetId: role,
        allow: permission,
        deny: 0,
      }),
    );
    await acked(owner.mutate('member.roles', { userId: bob.id, roleIds: [role] }));
    return channelId;
  };
  /** Removes Bob's roles; resolves with the time the server acknowledged it. */
  const dropBobsRoles = async () => {
    await acked(owner.mutate('member.roles', { userId: bob.id, roleIds: [] }));
    return performance.now();
  };
  /**
   * Waits until anything the server sent on `witness`'s edit has reached
   * `b`: the witness saw the edit, so every member was sent it in the same
   * turn; a message sent afterwards reaches `b`'s socket behind it.
   */
  const drained = async (b: NotesPeer, witness: NotesPeer, text: string) => {
    await until(() => witness.value.includes(text), 10_000, 'the witness to see the edit');
    const content = `sync point ${crypto.randomUUID()}`;
    await acked(
      owner.mutate('message.send', { id: crypto.randomUUID(), channelId: general, content }),
    );
    await until(
      () => b.client?.replica.channelMessages(general).some((m) => m.content === content) ?? false,
      10_000,
      'the sync point',
    );
  };
  const stored = async (channelId: string, text: string) => {
    const fresh = await peer(alice.token, channelId);
    await until(() => fresh.frames.some((f) => f.type === 'notes.sync'));
    await until(() => fresh.value.length > 0);
    const value = fresh.value;
    await fresh.detach();
    return value.includes(text);
  };

  beforeAll(async () => {
    app = await createTestApp(getDb(), {
      sync: { sendRate: { capacity: 10_000, windowMs: 1000 } },
    });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    const users = [];
    for (const name of ['alice', 'bob']) users.push(await registerUser(app, name));
    [alice, bob] = users.map((u) => ({ id: u.user.id, token: u.accessToken })) as [
      typeof alice,
      typeof alice,
    ];
    owner = await connect(alice.token);
    general = [...owner.replica.channels.values()].find((ch) => ch.name === 'general')?.id ?? '';
    everyone = (await getDb().query<{ id: string }>('SELECT id FROM roles WHERE is_everyone'))
      .rows[0]!.id;
  });
  afterAll(async () => {
    for (const c of clients) await c.close();
    await app?.close();
  });

  it('losing the role that showed the channel closes its notes within a second and sends nothing more', async () => {
    const id = await channelGrantedByRole('crew-notes', Permission.viewChannel);
    const [a, b] = [await peer(alice.token, id), await peer(bob.token, id)];
    a.text.insert(0, 'before ');
    await until(() => b.value === 'before ');

    const from = b.frames.length;
    const ackAt = await dropBobsRoles();
    await until(() => b.firstAt('notes.closed', from) !== undefined, 5000, 'notes.closed');
    expect((b.firstAt('notes.closed', from) ?? Infinity) - ackAt).toBeLessThan(1000);
    const closedIndex = b.frames.findIndex((f, n) => n >= from && f.type === 'notes.closed');
    expect(b.frames[closedIndex]).toMatchObject({ error: { kind: 'not_found' } });

    // Alice keeps writing; a second socket of hers is the witness that it went out.
    const witness = await peer(alice.token, id);
    a.text.insert(0, 'secret ');
    await drained(b, witness, 'secret ');
    expect(b.frames.slice(closedIndex + 1).filter((f) => f.type === 'notes.sync')).toEqual([]);
    expect(b.value).toBe('before ');

    // Bob's edits after the loss are refused and never stored; opening again finds nothing.
    b.text.insert(0, 'sneaky ');
    await until(() => b.refused('not_found').length > 0, 5000, 'the refusal');
    b.client?.send({ type: 'notes.open', channelId: id });
    await until(() => b.refused('not_found').length > 1, 5000, 'the refused open');
    expect(await stored(id, 'sneaky')).toBe(false);
    await Promise.all([a.detach(), b.detach(), witness.detach()]);
  });

  it('losing the role that allowed writing makes the notes read-only within a second: edits refused, updates still received', async () => {
    const id = await channelGrantedByRole('pen-notes', Permission.sendMessages);
    const [a, b] = [await peer(alice.token, id), await peer(bob.token, id)];
    expect(b.frames.find((f) => f.type === 'notes.opened')).toMatchObject({ canWrite: true });
    b.text.insert(0, 'mine ');
    await until(() => a.value === 'mine ');

    const from = b.frames.length;
    const ackAt = await dropBobsRoles();
    await until(() => b.firstAt('notes.opened', from) !== undefined, 5000, 'notes.opened');
    expect((b.firstAt('notes.opened', from) ?? Infinity) - ackAt).toBeLessThan(1000);
    expect(b.frames.slice(from).find((f) => f.type === 'notes.opened')).toMatchObject({
      canWrite: false,
    });

    b.text.insert(0, 'refused ');
    await until(() => b.refused('forbidden').length > 0, 5000, 'forbidden');
    // A reader still follows the document.
    a.text.insert(a.text.length, 'and more');
    await until(() => b.value.includes('and more'), 5000, 'the writer’s edit');
    expect(a.value).toBe('mine and more');
    expect(await stored(id, 'refused')).toBe(false);
    await Promise.all([a.detach(), b.detach()]);
  });
});
