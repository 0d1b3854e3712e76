import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { PROTOCOL_VERSION, downMessage, mutationArgs, upMessage } from '@echora/shared';
import { contentSecurityPolicy } from './security-headers.ts';

const restRoutes = new WeakMap<FastifyInstance, readonly string[]>();

/** Every REST route under /api an app registered ("METHOD /path"), HEAD twins included. */
export function restRoutesOf(app: FastifyInstance): readonly string[] {
  return restRoutes.get(app) ?? [];
}

/** The sync socket's frames, documented beside the REST routes as schemas. */
function socketSchemas(): Record<string, unknown> {
  const plain = (schema: unknown) => JSON.parse(JSON.stringify(schema)) as unknown;
  return {
    SyncUp: {
      ...(plain(upMessage) as object),
      description: 'A frame the client sends on /api/sync',
    },
    SyncDown: {
      ...(plain(downMessage) as object),
      description: 'A frame the server sends on /api/sync',
    },
    ...Object.fromEntries(
      Object.entries(mutationArgs).map(([name, schema]) => [
        `Mutation.${name}`,
        { ...(plain(schema) as object), description: `args of the \`${name}\` mutation` },
      ]),
    ),
  };
}

/**
 * OpenAPI 3 generated from the routes' TypeBox schemas: the document at
 * `/docs/json`, a browsable page at `/docs`. Registered before the routes, so
 * it sees every one of them.
 */
export async function registerApiDocs(app: FastifyInstance): Promise<void> {
  const routes: string[] = [];
  restRoutes.set(app, routes);
  app.addHook('onRoute', (route) => {
    const problem = undocumented(route);
    if (problem) throw new Error(`${String(route.method)} ${route.url}: ${problem}`);
    if (route.url.startsWith('/api/') && !route.websocket) {
      for (const method of [route.method].flat()) routes.push(`${method} ${route.url}`);
    }
  });
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Echora API',
        version: `protocol ${PROTOCOL_VERSION}`,
        description:
          'REST routes of the sync server. Live data flows over the WebSocket at `/api/sync`: ' +
          'the client sends `SyncUp` frames (first `auth`, then `mutate`, `history`, `presence`, ' +
          '`ping`) and receives `SyncDown` frames; each mutation’s arguments are the ' +
          '`Mutation.<name>` schemas. The same mutations run over HTTP with `POST /api/mutations` ' +
          '(a person’s Bearer token or `Authorization: Bot <token>`).',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          bot: {
            type: 'apiKey',
            in: 'header',
            name: 'Authorization',
            description: 'A bot token from `POST /api/bots`, sent as `Bot <token>`',
          },
        },
        schemas: socketSchemas() as never,
      },
    },
  });
  await app.register(fastifySwaggerUi, {
    routePrefix: '/docs',
    uiHooks: {
      // Swagger UI sets inline styles; its page (no user content) may, nothing else may.
      onRequest: (request, reply, done) => {
        const policy = contentSecurityPolicy(app.config, request.hostname);
        reply.header(
          'content-security-policy',
          policy.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
        );
        done();
      },
    },
  });
}

/**
 * Why a REST route would be missing from the API document, if it would: every
 * `/api/` route declares a schema (what it takes or what it answers), and one
 * for each `:param` in its path. The socket route is documented by its frames.
 */
export function undocumented(route: RouteOptions): string | undefined {
  if (!route.url.startsWith('/api/') || route.websocket) return undefined;
  const schema = route.schema as
    { params?: { properties?: Record<string, unknown> }; [key: string]: unknown } | undefined;
  if (!schema || !['params', 'querystring', 'body', 'response'].some((k) => k in schema)) {
    return 'a route under /api needs a schema (params, querystring, body or response)';
  }
  for (const [, param] of route.url.matchAll(/:([A-Za-z0-9_]+)/g)) {
    if (!param || !schema.params?.properties?.[param]) return `no schema for the :${param} param`;
  }
  return undefined;
}
