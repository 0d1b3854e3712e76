import { COMMUNITY_INFO_ID, type CommunityInfo } from '@echora/shared';
import { getCommunity } from '../api/community.ts';
import type { EnginePort, ReplicaPort } from '../lib/engine-port.ts';
import { LiveQuery } from '../lib/live-query.svelte.ts';
import { handleError } from './toasts.svelte.ts';

/**
 * The community's name for the sidebar, from the replica: a rename travels
 * the community feed, so every member sees it at once, offline too. A
 * replica that caught up by replay from before the name was in the feed has
 * no row yet: then it is read once from `GET /api/community`.
 */
export class CommunityName {
  #row: LiveQuery<null, CommunityInfo | undefined>;
  #fetched: string | undefined = $state();
  #off: () => void;

  current = $derived.by(() => this.#row.current?.name ?? this.#fetched ?? 'Echora');

  constructor(replica: ReplicaPort, engine: EnginePort) {
    this.#row = new LiveQuery(
      () => null,
      () => replica.community.get(COMMUNITY_INFO_ID),
      undefined,
      (e) => handleError(e),
    );
    this.#off = engine.onState((state) => {
      if (state !== 'online' || this.#fetched !== undefined) return;
      getCommunity().then(
        (c) => (this.#fetched = c.name),
        () => undefined,
      );
    });
  }

  dispose(): void {
    this.#off();
  }
}
