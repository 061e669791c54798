import { z } from 'zod';
import { isReservedClientId } from '../store/clients.ts';
import { ApiError } from './api-error.ts';
import { assertCallerHolds, changedScopes } from './caller-privileges.ts';
import { clientApiScopes } from './client-api-scopes.ts';
import { clientIdParams, clientView, toClientView } from './clients-routes.ts';
import { ALLOWED_SCOPES_METADATA, managementApiIdentifier } from './management-api-identity.ts';
import type { ManagementDependencies } from './management-dependencies.ts';
import { adminChange } from './record-admin-change.ts';

/** RFC 6749 3.3. */
const scopeToken = z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/, 'not a scope token (RFC 6749 3.3)');

const grantBody = z.strictObject({
  /** The API (RFC 8707 resource indicator) the scopes are granted for. */
  resource: z.string().min(1).max(2048),
  /** Every scope of that API the client may be granted; empty removes the grant. */
  scopes: z.array(scopeToken).max(100),
});

function refuse(field: string, message: string): never {
  throw new ApiError('invalid_body', `${field}: ${message}`, {
    details: { field, issues: [{ field, message }] },
  });
}

/**
 * `PUT /clients/{id}/scopes`: which scopes of one API a client may be granted (Auth0's client
 * grants). Its own scope (`update:client_grants`), a recent sign-in for people, and on the management
 * API only scopes the caller holds itself, given or taken (see `caller-privileges.ts`).
 */
export function registerClientScopesRoutes(deps: ManagementDependencies): void {
  const { routes, store } = deps;
  const managementApi = managementApiIdentifier(deps.config.issuer);

  routes.add({
    method: 'PUT',
    path: '/clients/{id}/scopes',
    summary:
      "Set the scopes of one API an application may be granted (the management API's: only scopes you hold)",
    scope: 'update:client_grants',
    recentAuthentication: true,
    params: clientIdParams,
    body: grantBody,
    response: clientView,
    handler: async ({ params, body, caller, request }) => {
      const existing = await store.clients.find(params.id);
      if (!existing) throw new ApiError('not_found', `no client "${params.id}"`);
      if (isReservedClientId(params.id)) {
        throw new ApiError(
          'conflict',
          `"${params.id}" is one of the provider's own clients and cannot be changed`,
        );
      }
      const api = await store.resourceServers.find(body.resource);
      if (!api) refuse('resource', 'not a registered API');
      const unknown = body.scopes.find((scope) => !api.scopes.includes(scope));
      if (unknown !== undefined) refuse('scopes', `"${unknown}" is not a scope of ${api.identifier}`);

      const grants = clientApiScopes(existing);
      const scopes = [...new Set(body.scopes)].sort();
      if (api.identifier === managementApi)
        assertCallerHolds(caller, changedScopes(grants[api.identifier] ?? [], scopes));
      const { [api.identifier]: _replaced, ...others } = grants;
      // Kept even when empty: a client with an allow-list gets no scope it does not list.
      const next = scopes.length ? { ...others, [api.identifier]: scopes } : others;
      const metadata = { ...existing, [ALLOWED_SCOPES_METADATA]: next };
      // The registration and its audit event are one transaction.
      await store.clients.upsert(metadata, {
        auditEvent: adminChange({
          type: 'admin.client.scopes_changed',
          caller,
          request,
          time: deps.clock(),
          clientId: params.id,
          details: { resource: api.identifier, scopes },
        }),
      });
      return toClientView(metadata);
    },
  });
}
