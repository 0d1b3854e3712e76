/**
 * The sync protocol version. A client that sends another one is closed with
 * `CloseCode.clientTooOld` (or `serverTooOld`) and must reload.
 *
 * 1: first version — auth, mutate, history, presence, typing.
 * 2: user settings (`settings.update`, the `userSettings` entity in the user
 *    scope) and the community's name (the `community` entity): a client of
 *    version 1 would drop frames carrying them, so it is told to reload.
 * 3: former members' names (the `formerMember` entity) and the `removed` frame
 *    that tells a kicked or banned user why their socket closes.
 * 4: direct conversations: channels of kind `dm` with their participants
 *    (`dm`), the `block` entity in the user scope, the `dms` setting and the
 *    `dm.*`, `user.block` and `message.report` mutations.
 */
export const PROTOCOL_VERSION = 4;
