import { describe, expect, it } from 'vitest';
import { ALL_PERMISSIONS, DEFAULT_EVERYONE, Permission as P, TIMEOUT_DENIED, has } from './bits.ts';
import {
  basePermissions,
  canActOn,
  canManageRole,
  channelPermissions,
  type ChannelOverride,
  type CommunityRoles,
  type MemberInfo,
} from './resolve.ts';

const NOW = 1_700_000_000_000;
const community: CommunityRoles = {
  everyoneRoleId: 'everyone',
  roles: new Map([
    ['everyone', { id: 'everyone', position: 0, permissions: DEFAULT_EVERYONE }],
    [
      'mod',
      { id: 'mod', position: 2, permissions: P.manageMessages | P.timeoutMembers | P.kickMembers },
    ],
    ['helper', { id: 'helper', position: 1, permissions: P.manageChannels }],
    ['admin', { id: 'admin', position: 3, permissions: P.administrator }],
    ['muted', { id: 'muted', position: 1, permissions: 0 }],
  ]),
};

const member = (roleIds: string[], extra: Partial<MemberInfo> = {}): MemberInfo => ({
  userId: 'u-' + roleIds.join('-'),
  roleIds,
  isOwner: false,
  timedOutUntil: null,
  ...extra,
});
const role = (targetId: string, allow: number, deny: number): ChannelOverride => ({
  targetType: 'role',
  targetId,
  allow,
  deny,
});

describe('basePermissions', () => {
  it.each([
    ['plain member', member([]), DEFAULT_EVERYONE],
    [
      'roles add up',
      member(['mod', 'helper']),
      DEFAULT_EVERYONE | P.manageMessages | P.timeoutMembers | P.kickMembers | P.manageChannels,
    ],
    ['administrator gets everything', member(['admin']), ALL_PERMISSIONS],
    ['owner gets everything', member([], { isOwner: true }), ALL_PERMISSIONS],
    ['unknown role ids are ignored', member(['ghost']), DEFAULT_EVERYONE],
    [
      'timed out loses send, react, speak, stream',
      member([], { timedOutUntil: NOW + 1000 }),
      DEFAULT_EVERYONE & ~TIMEOUT_DENIED,
    ],
    ['an expired timeout does nothing', member([], { timedOutUntil: NOW - 1 }), DEFAULT_EVERYONE],
    [
      'a timed-out owner keeps everything',
      member([], { isOwner: true, timedOutUntil: NOW + 1000 }),
      ALL_PERMISSIONS,
    ],
  ])('%s', (_name, m, expected) => {
    expect(basePermissions(m, community, NOW)).toBe(expected);
  });
});

describe('channelPermissions: overrides in Discord order', () => {
  const privateChannel = [role('everyone', 0, P.viewChannel), role('mod', P.viewChannel, 0)];
  it.each<[string, MemberInfo, ChannelOverride[], number, boolean]>([
    ['no overrides: base', member([]), [], P.sendMessages, true],
    ['everyone denied view: nothing at all', member([]), privateChannel, P.viewChannel, false],
    ['a role allow beats the everyone deny', member(['mod']), privateChannel, P.viewChannel, true],
    [
      'role deny beats base',
      member([]),
      [role('everyone', 0, P.sendMessages)],
      P.sendMessages,
      false,
    ],
    [
      'role allow beats another role deny (allow wins among roles)',
      member(['mod', 'helper']),
      [role('mod', P.sendMessages, 0), role('helper', 0, P.sendMessages)],
      P.sendMessages,
      true,
    ],
    [
      'member deny beats role allow',
      member(['mod']),
      [
        role('mod', P.sendMessages, 0),
        { targetType: 'member', targetId: 'u-mod', allow: 0, deny: P.sendMessages },
      ],
      P.sendMessages,
      false,
    ],
    [
      'member allow beats role deny',
      member(['muted']),
      [
        role('muted', 0, P.sendMessages),
        { targetType: 'member', targetId: 'u-muted', allow: P.sendMessages, deny: 0 },
      ],
      P.sendMessages,
      true,
    ],
    [
      'everyone override applies before roles',
      member(['helper']),
      [role('helper', P.sendMessages, 0), role('everyone', 0, P.sendMessages)],
      P.sendMessages,
      true,
    ],
    [
      'administrator ignores a deny',
      member(['admin']),
      [role('everyone', 0, P.viewChannel)],
      P.viewChannel,
      true,
    ],
    [
      'owner ignores a member deny',
      member([], { isOwner: true }),
      [{ targetType: 'member', targetId: 'u-', allow: 0, deny: P.viewChannel }],
      P.viewChannel,
      true,
    ],
    [
      'timeout cannot be lifted by an override',
      member(['mod'], { timedOutUntil: NOW + 5 }),
      [role('mod', P.sendMessages, 0)],
      P.sendMessages,
      false,
    ],
    ['timeout keeps view', member([], { timedOutUntil: NOW + 5 }), [], P.viewChannel, true],
    [
      'overrides of roles the member lacks do nothing',
      member([]),
      [role('mod', 0, P.viewChannel)],
      P.viewChannel,
      true,
    ],
  ])('%s', (_name, m, overrides, bit, expected) => {
    expect(has(channelPermissions(m, community, overrides, NOW), bit)).toBe(expected);
  });
});

describe('hierarchy', () => {
  const owner = member([], { isOwner: true, userId: 'owner' });
  const admin = member(['admin'], { userId: 'admin' });
  const mod = member(['mod'], { userId: 'mod' });
  const helper = member(['helper'], { userId: 'helper' });
  const plain = member([], { userId: 'plain' });
  it.each<[string, MemberInfo, MemberInfo, boolean]>([
    ['owner acts on admin', owner, admin, true],
    ['nobody acts on the owner', admin, owner, false],
    ['mod acts on helper', mod, helper, true],
    ['helper cannot act on mod', helper, mod, false],
    ['equal position cannot act', mod, member(['mod'], { userId: 'mod2' }), false],
    ['plain cannot act on plain', plain, member([], { userId: 'p2' }), false],
    ['nobody acts on themself', mod, mod, false],
  ])('%s', (_name, actor, target, expected) => {
    expect(canActOn(actor, target, community)).toBe(expected);
  });

  it('manages only roles below the highest one', () => {
    const roles = community.roles;
    expect(canManageRole(mod, roles.get('helper')!, community)).toBe(true);
    expect(canManageRole(mod, roles.get('mod')!, community)).toBe(false);
    expect(canManageRole(mod, roles.get('admin')!, community)).toBe(false);
    expect(canManageRole(owner, roles.get('admin')!, community)).toBe(true);
  });
});

describe('overrides in every order', () => {
  const permutations = <T>(items: T[]): T[][] =>
    items.length <= 1
      ? [items]
      : items.flatMap((item, i) =>
          permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [
            item,
            ...rest,
          ]),
        );
  const overrides: ChannelOverride[] = [
    role('everyone', 0, P.viewChannel | P.sendMessages),
    role('mod', P.viewChannel, P.addReactions),
    role('helper', P.sendMessages | P.addReactions, 0),
    { targetType: 'member', targetId: 'u-mod-helper', allow: 0, deny: P.sendMessages },
  ];
  it.each<[string, MemberInfo]>([
    ['plain', member([])],
    ['mod', member(['mod'])],
    ['helper', member(['helper'])],
    ['mod and helper, with a member override', member(['mod', 'helper'])],
    ['timed-out mod', member(['mod'], { timedOutUntil: NOW + 1 })],
  ])('the list order never changes the answer: %s', (_name, m) => {
    const answers = new Set(
      permutations(overrides).map((list) => channelPermissions(m, community, list, NOW)),
    );
    expect(answers.size).toBe(1);
  });

  it('the layers apply as everyone, then roles, then the member', () => {
    const all = permutations(overrides);
    const both = member(['mod', 'helper']);
    for (const list of all) {
      const perms = channelPermissions(both, community, list, NOW);
      // everyone denies view and send; mod allows view; helper allows send and
      // reactions (allow beats mod's deny among roles); the member deny of send wins last.
      expect(has(perms, P.viewChannel)).toBe(true);
      expect(has(perms, P.addReactions)).toBe(true);
      expect(has(perms, P.sendMessages)).toBe(false);
    }
    expect(
      has(channelPermissions(member(['helper']), community, overrides, NOW), P.viewChannel),
    ).toBe(false);
  });
});

describe('hierarchy, more', () => {
  const roles = community.roles;
  const lowAdmin: CommunityRoles = {
    everyoneRoleId: 'everyone',
    roles: new Map([
      ...roles,
      ['lowadmin', { id: 'lowadmin', position: 1, permissions: P.administrator }],
    ]),
  };
  it.each<[string, MemberInfo, MemberInfo, CommunityRoles, boolean]>([
    [
      'admin acts on mod',
      member(['admin'], { userId: 'a' }),
      member(['mod'], { userId: 'm' }),
      community,
      true,
    ],
    [
      'the highest role decides, not the count',
      member(['mod'], { userId: 'm' }),
      member(['helper', 'muted'], { userId: 'h' }),
      community,
      true,
    ],
    [
      'two roles, same highest: no',
      member(['mod', 'helper'], { userId: 'x' }),
      member(['mod'], { userId: 'y' }),
      community,
      false,
    ],
    [
      'administrator does not lift position',
      member(['lowadmin'], { userId: 'la' }),
      member(['mod'], { userId: 'm' }),
      lowAdmin,
      false,
    ],
    [
      'a timed-out mod still outranks a helper',
      member(['mod'], { userId: 'm', timedOutUntil: NOW + 5 }),
      member(['helper'], { userId: 'h' }),
      community,
      true,
    ],
    [
      'the owner acts on anyone else',
      member([], { userId: 'o', isOwner: true }),
      member(['admin', 'mod'], { userId: 'z' }),
      community,
      true,
    ],
  ])('%s', (_name, actor, target, c, expected) => {
    expect(canActOn(actor, target, c)).toBe(expected);
  });

  it.each<[string, MemberInfo, string, boolean]>([
    ['nobody with only @everyone manages @everyone', member([]), 'everyone', false],
    ['a helper manages @everyone', member(['helper']), 'everyone', true],
    ['a helper does not manage a role at its own position', member(['helper']), 'muted', false],
    ['an admin manages the mod role', member(['admin']), 'mod', true],
    ['an admin does not manage its own role', member(['admin']), 'admin', false],
    ['the owner manages every role', member([], { isOwner: true }), 'admin', true],
  ])('%s', (_name, actor, roleId, expected) => {
    const target = roles.get(roleId);
    if (!target) throw new Error(`no role ${roleId}`);
    expect(canManageRole(actor, target, community)).toBe(expected);
  });
});

describe('administrator, owner and timeouts in channels', () => {
  const denyAll = [
    role('everyone', 0, ALL_PERMISSIONS),
    role('admin', 0, ALL_PERMISSIONS),
    { targetType: 'member' as const, targetId: 'adm', allow: 0, deny: ALL_PERMISSIONS },
  ];
  it('administrator and owner see and do everything whatever the overrides deny', () => {
    expect(channelPermissions(member(['admin'], { userId: 'adm' }), community, denyAll, NOW)).toBe(
      ALL_PERMISSIONS,
    );
    expect(
      channelPermissions(member([], { isOwner: true, userId: 'adm' }), community, denyAll, NOW),
    ).toBe(ALL_PERMISSIONS);
  });

  it('an administrator role is not timed out (like the owner)', () => {
    const m = member(['admin'], { timedOutUntil: NOW + 60_000 });
    expect(basePermissions(m, community, NOW)).toBe(ALL_PERMISSIONS);
  });

  it.each<[string, number, boolean]>([
    ['send', P.sendMessages, false],
    ['react', P.addReactions, false],
    ['speak', P.speak, false],
    ['stream', P.stream, false],
    ['view', P.viewChannel, true],
    ['connect', P.connect, true],
    ['invite', P.createInvites, true],
  ])('timed out: %s is %s even with a member allow override', (_name, bit, expected) => {
    const m = member([], { userId: 't', timedOutUntil: NOW + 60_000 });
    const allowAll = [
      {
        targetType: 'member' as const,
        targetId: 't',
        allow: ALL_PERMISSIONS & ~P.administrator,
        deny: 0,
      },
    ];
    expect(has(channelPermissions(m, community, allowAll, NOW), bit)).toBe(expected);
  });

  it('a timeout ends at its instant, not a millisecond later', () => {
    const m = member([], { timedOutUntil: NOW });
    expect(has(basePermissions(m, community, NOW), P.sendMessages)).toBe(true);
    expect(has(basePermissions(m, community, NOW - 1), P.sendMessages)).toBe(false);
  });
});
