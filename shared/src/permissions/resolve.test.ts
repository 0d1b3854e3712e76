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
