import type { AcrLadder } from '@stepup/core';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { ActionManagementError } from '../actions/action-management-error.ts';
import { registerActionsAdminRoutes } from '../actions/admin/actions-admin-routes.ts';
import type { ActionSandbox } from '../actions/sandbox/action-sandbox.ts';
import type { StepupConfig } from '../config/config-schema.ts';
import { BodyTooDeepError } from '../http/json-body-parser.ts';
import { RETRY_AFTER_SECONDS } from '../http/store-errors.ts';
import type { ProviderKeys } from '../oidc/provider-keys.ts';
import { isStoreInputError, isStoreUnavailable, StoreConflictError } from '../store/errors.ts';
import type { Store } from '../store/store.ts';
import { ApiError } from './api-error.ts';
import { registerApisRoutes } from './apis-routes.ts';
import { registerAuditEventsRoutes } from './audit-events-routes.ts';
import { registerAuthorizationDetailTypesRoutes } from './authorization-detail-types-routes.ts';
import { createCallAuthorizer } from './authorize-management-call.ts';
import { registerClientScopesRoutes } from './client-scopes-routes.ts';
import { registerClientsRoutes } from './clients-routes.ts';
import { registerKeysRoutes } from './keys-routes.ts';
import { MANAGEMENT_API_PATH, managementApiIdentifier } from './management-api-identity.ts';
import type { ManagementDependencies } from './management-dependencies.ts';
import { ManagementRoutes } from './management-routes.ts';
import { buildOpenApiDocument } from './openapi-document.ts';
import { registerSettingsRoutes } from './settings-routes.ts';
import { registerUserFactorsRoutes } from './user-factors-routes.ts';
import { registerUserRolesRoutes } from './user-roles-routes.ts';
import { registerUserSignInLockRoutes } from './user-sign-in-lock-routes.ts';
import { registerUsersRoutes } from './users-routes.ts';
import { createManagementTokenVerifier } from './verify-management-token.ts';

export interface ManagementApiOptions {
  config: StepupConfig;
  store: Store;
  ladder: AcrLadder;
  keys: ProviderKeys;
  /** The signing keys the provider serves now (`keys.signingJwks` is the set it started with). */
  signingJwks: () => ProviderKeys['signingJwks'];
  /** Applies a key or settings change just stored to this node, and tells the other nodes. */
  applyChanges: () => Promise<void>;
  logger: Logger;
  clock: () => number;
  actionSandbox?: ActionSandbox;
}

const ACTION_ERRORS = {
  invalid_request: 'invalid_body',
  not_found: 'not_found',
  conflict: 'conflict',
} as const;

function send(reply: FastifyReply, error: ApiError) {
  if (error.challenge) reply.header('www-authenticate', error.challenge);
  return reply.code(error.status).send(error.toBody());
}

/**
 * The management API under `/api/v1`: every resource, each route authorised by a scoped RFC 9068
 * access token from this provider, every error in one shape, and the OpenAPI document (public) at
 * `/api/v1/openapi.json`.
 */
export async function registerManagementApi(
  app: FastifyInstance,
  options: ManagementApiOptions,
): Promise<void> {
  const { config } = options;
  const log = options.logger.child({ component: 'management-api' });
  const audience = managementApiIdentifier(config.issuer);
  const authorize = createCallAuthorizer({
    verifyToken: createManagementTokenVerifier({
      issuer: config.issuer,
      audience,
      signingJwks: options.signingJwks,
      algorithm: 'RS256',
    }),
    store: options.store,
    ladder: options.ladder,
    admin: config.admin,
    clock: options.clock,
  });

  await app.register(
    async (api) => {
      // The JSON parser (depth and size limits) is the app's own, inherited from the root instance.
      api.setErrorHandler((error: FastifyError | Error, _request, reply) => {
        if (error instanceof ApiError) return send(reply, error);
        if (error instanceof BodyTooDeepError)
          return send(reply, new ApiError('body_too_deep', error.message));
        if (error instanceof ActionManagementError) {
          const code = ACTION_ERRORS[error.code];
          return send(
            reply,
            new ApiError(
              code,
              error.message,
              code === 'invalid_body' ? { details: { field: '', issues: [] } } : {},
            ),
          );
        }
        if (isStoreInputError(error)) {
          return send(
            reply,
            new ApiError('invalid_body', 'a value contains a character that is not allowed (U+0000)', {
              details: { field: '', issues: [] },
            }),
          );
        }
        if (isStoreUnavailable(error)) {
          reply.header('retry-after', String(RETRY_AFTER_SECONDS));
          return send(
            reply,
            new ApiError('temporarily_unavailable', 'storage unavailable; retry in a few seconds'),
          );
        }
        if (error instanceof StoreConflictError)
          return send(reply, new ApiError('conflict', 'that conflicts with an existing record'));
        const status = 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : 500;
        if (status === 413) {
          return send(
            reply,
            new ApiError('body_too_large', 'the body is larger than this operation accepts'),
          );
        }
        if (status >= 400 && status < 500) {
          return send(
            reply,
            new ApiError('invalid_body', `body: ${error.message}`, { details: { field: '', issues: [] } }),
          );
        }
        log.error({ err: error }, 'management API failed');
        return send(
          reply,
          new ApiError('internal', 'the request could not be completed; see the provider log'),
        );
      });
      api.setNotFoundHandler((_request, reply) => send(reply, new ApiError('not_found', 'no such resource')));

      const routes = new ManagementRoutes(api, authorize);
      const deps: ManagementDependencies = {
        config,
        store: options.store,
        ladder: options.ladder,
        keys: options.keys,
        applyChanges: options.applyChanges,
        logger: log,
        clock: options.clock,
        routes,
      };
      registerUsersRoutes(deps);
      registerUserRolesRoutes(deps);
      registerUserFactorsRoutes(deps);
      registerUserSignInLockRoutes(deps);
      registerClientsRoutes(deps);
      registerClientScopesRoutes(deps);
      registerApisRoutes(deps);
      registerAuthorizationDetailTypesRoutes(deps);
      registerSettingsRoutes(deps);
      registerKeysRoutes(deps);
      registerAuditEventsRoutes(deps);
      const closeActions = registerActionsAdminRoutes({
        ...deps,
        secretBox: options.keys.secretBox,
        ...(options.actionSandbox ? { actionSandbox: options.actionSandbox } : {}),
      });
      api.addHook('onClose', closeActions);

      const document = buildOpenApiDocument(config.issuer, routes.specs);
      routes.addPublic('/openapi.json', async (_request, reply) =>
        reply.header('cache-control', 'public, max-age=300').send(document),
      );
    },
    { prefix: MANAGEMENT_API_PATH },
  );
}
