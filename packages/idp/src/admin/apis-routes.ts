import { z } from 'zod';
import { RESOURCE_SERVER_SIGNING_ALGORITHMS, type ResourceServerRecord } from '../store/resource-servers.ts';
import { ApiError } from './api-error.ts';
import { listOf } from './list-page.ts';
import { managementApiIdentifier } from './management-api-identity.ts';
import type { ManagementDependencies } from './management-dependencies.ts';
import { adminChange } from './record-admin-change.ts';

/** The OIDC scopes belong to the userinfo token; an API defining them would take them over. */
const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'address', 'phone', 'offline_access']);
const apiScope = z
  .string()
  .regex(/^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/, 'not a scope token (RFC 6749 3.3)')
  .refine((scope) => !OIDC_SCOPES.has(scope), 'reserved for OpenID Connect');

/** RFC 8707 2: an absolute URI without a fragment; https, or http on a loopback host. */
const identifier = z
  .url()
  .max(2048)
  .refine((value) => {
    const url = new URL(value);
    const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
    return !value.includes('#') && (url.protocol === 'https:' || (url.protocol === 'http:' && loopback));
  }, 'use an https URI without a fragment (plain http only on localhost)');

const apiView = z.object({
  identifier: z.string(),
  scopes: z.array(z.string()),
  access_token_ttl: z.number().int(),
  signing_alg: z.enum(RESOURCE_SERVER_SIGNING_ALGORITHMS),
  system: z.boolean(),
});

const apiFields = {
  scopes: z.array(apiScope).min(1).max(200),
  access_token_ttl: z
    .number()
    .int()
    .min(1)
    .max(24 * 3600),
  signing_alg: z.enum(RESOURCE_SERVER_SIGNING_ALGORITHMS),
};

const apiParams = z.strictObject({ id: z.string().min(1).max(2048) });

/** `/apis`: the resource servers that receive JWT access tokens (RFC 8707, RFC 9068). */
export function registerApisRoutes(deps: ManagementDependencies): void {
  const { routes, store } = deps;
  const system = managementApiIdentifier(deps.config.issuer);
  const view = (record: ResourceServerRecord): z.output<typeof apiView> => ({
    identifier: record.identifier,
    scopes: record.scopes,
    access_token_ttl: record.accessTokenTtl,
    signing_alg: record.signingAlg,
    system: record.identifier === system,
  });
  const findChangeable = async (id: string) => {
    const record = await store.resourceServers.find(id);
    if (!record) throw new ApiError('not_found', `no API "${id}"`);
    if (record.identifier === system) {
      throw new ApiError(
        'conflict',
        'the management API is registered by the provider and cannot be changed',
      );
    }
    return record;
  };

  routes.add({
    method: 'GET',
    path: '/apis',
    summary: 'List APIs',
    scope: 'read:apis',
    response: listOf(apiView),
    handler: async () => ({ items: (await store.resourceServers.list()).map(view), next_cursor: null }),
  });

  routes.add({
    method: 'POST',
    path: '/apis',
    summary: 'Register an API',
    scope: 'create:apis',
    status: 201,
    body: z.strictObject({
      identifier,
      scopes: apiFields.scopes,
      access_token_ttl: apiFields.access_token_ttl.default(300),
      signing_alg: apiFields.signing_alg.default('RS256'),
    }),
    response: apiView,
    handler: async ({ body, caller, request }) => {
      if (await store.resourceServers.find(body.identifier)) {
        throw new ApiError('conflict', `an API "${body.identifier}" already exists`);
      }
      const record: ResourceServerRecord = {
        identifier: body.identifier,
        scopes: [...new Set(body.scopes)],
        accessTokenTtl: body.access_token_ttl,
        signingAlg: body.signing_alg,
      };
      // The registration and its audit event are one transaction.
      await store.resourceServers.upsert(
        record,
        adminChange({
          type: 'admin.api.created',
          caller,
          request,
          time: deps.clock(),
          details: { identifier: record.identifier, scopes: record.scopes },
        }),
      );
      return view(record);
    },
  });

  routes.add({
    method: 'GET',
    path: '/apis/{id}',
    summary: 'Read an API (the id is the URL-encoded identifier)',
    scope: 'read:apis',
    params: apiParams,
    response: apiView,
    handler: async ({ params }) => {
      const record = await store.resourceServers.find(params.id);
      if (!record) throw new ApiError('not_found', `no API "${params.id}"`);
      return view(record);
    },
  });

  routes.add({
    method: 'PATCH',
    path: '/apis/{id}',
    summary: 'Change an API',
    scope: 'update:apis',
    params: apiParams,
    body: z
      .strictObject({
        scopes: apiFields.scopes.optional(),
        access_token_ttl: apiFields.access_token_ttl.optional(),
        signing_alg: apiFields.signing_alg.optional(),
      })
      .refine((body) => Object.keys(body).length > 0, 'give at least one field to change'),
    response: apiView,
    handler: async ({ params, body, caller, request }) => {
      const existing = await findChangeable(params.id);
      const record: ResourceServerRecord = {
        identifier: existing.identifier,
        scopes: body.scopes ? [...new Set(body.scopes)] : existing.scopes,
        accessTokenTtl: body.access_token_ttl ?? existing.accessTokenTtl,
        signingAlg: body.signing_alg ?? existing.signingAlg,
      };
      await store.resourceServers.upsert(
        record,
        adminChange({
          type: 'admin.api.updated',
          caller,
          request,
          time: deps.clock(),
          details: { identifier: record.identifier, changed: Object.keys(body).sort() },
        }),
      );
      return view(record);
    },
  });

  routes.add({
    method: 'DELETE',
    path: '/apis/{id}',
    summary: 'Delete an API; clients can no longer ask for tokens for it',
    scope: 'delete:apis',
    recentAuthentication: true,
    params: apiParams,
    handler: async ({ params, caller, request }) => {
      const existing = await findChangeable(params.id);
      await store.resourceServers.remove(
        existing.identifier,
        adminChange({
          type: 'admin.api.deleted',
          caller,
          request,
          time: deps.clock(),
          details: { identifier: existing.identifier },
        }),
      );
    },
  });
}
