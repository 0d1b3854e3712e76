import { Type, type Static } from 'typebox';

/**
 * Public `GET /api/version`: what a phone app checks before it remembers a
 * community's address. `app` tells an Echora server from any other site;
 * `protocol` is the sync `PROTOCOL_VERSION` the server speaks.
 */
export const versionSchema = Type.Object({
  app: Type.Literal('echora'),
  protocol: Type.Integer({ minimum: 1 }),
});
export type VersionInfo = Static<typeof versionSchema>;
