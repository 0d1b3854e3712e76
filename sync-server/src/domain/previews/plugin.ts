import type { FastifyInstance } from 'fastify';
import { defaultPreviewOptions, PreviewWorker, type PreviewOptions } from './worker.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** This node's share of the link preview queue (`runOnce` for tests). */
    linkPreviews: PreviewWorker;
  }
}

/** Starts this node's unfurl worker once the app is ready; stops it on close. */
export function registerLinkPreviews(
  app: FastifyInstance,
  options: Partial<PreviewOptions> = {},
): void {
  const worker = new PreviewWorker(
    app.db,
    app.writer,
    app.outbound,
    (obj, msg) => app.log.warn(obj, msg),
    { ...defaultPreviewOptions, oembedEndpoints: app.config.oembedEndpoints, ...options },
  );
  app.decorate('linkPreviews', worker);
  app.addHook('onReady', (done) => {
    worker.start();
    done();
  });
  app.addHook('preClose', async () => {
    await worker.stop();
  });
}
