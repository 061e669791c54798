import { z } from 'zod';
import { ACCOUNT_CLIENT_ID, accountClientMetadata } from '../account/account-client.ts';
import { generateClientSecret } from '../client-secrets/client-secret-strength.ts';
import {
  isPreviousClientSecret,
  PREVIOUS_SECRET_METADATA,
} from '../client-secrets/previous-client-secret.ts';
import {
  digestOfStoredSecret,
  protectClientSecret,
  SecretNeedsRotationError,
  STORED_SECRET_METADATA,
} from '../client-secrets/stored-client-secret.ts';
import {
  CLIENT_PROFILE_METADATA,
  CLIENT_PROFILES,
  FAPI2_SIGNING_ALGORITHMS,
} from '../oidc/client-security-profile.ts';
import { type ClientMetadata, isReservedClientId, RESERVED_CLIENT_IDS } from '../store/clients.ts';
import { ApiError } from './api-error.ts';
import { assertCallerCoversClient } from './caller-privileges.ts';
import { clientApiScopes, legacyClientScopes } from './client-api-scopes.ts';
import { listOf } from './list-page.ts';
import { managementApiIdentifier } from './management-api-identity.ts';
import { isoTime, type ManagementDependencies } from './management-dependencies.ts';
import { adminChange } from './record-admin-change.ts';

const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;
const ID_TOKEN_ALGORITHMS = ['RS256', 'ES256', 'EdDSA', 'HS256'] as const;
/** An absolute https URI without a fragment (RFC 6749 3.1.2); plain http only on a loopback host. */
const redirectUri = z
  .url()
  .max(2048)
  .refine((value) => {
    const url = new URL(value);
    const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
    return (
      !url.hash &&
      !value.includes('#') &&
      (url.protocol === 'https:' || (url.protocol === 'http:' && loopback))
    );
  }, 'use an https URI without a fragment (plain http only on localhost)');
/** Members of a JWK that only a private (or symmetric) key has (RFC 7518 6.2.2, 6.3.2, 6.4.1). */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
/** The client's public keys, for private_key_jwt and signed request objects. */
const publicJwks = z.strictObject({
  keys: z
    .array(
      z
        .looseObject({ kty: z.enum(['RSA', 'EC', 'OKP']), kid: z.string().max(200).optional() })
        .refine(
          (jwk) => PRIVATE_JWK_MEMBERS.every((member) => !(member in jwk)),
          'give public keys only: this key has private members',
        ),
    )
    .min(1)
    .max(10),
});
const jwksUri = z
  .url()
  .max(2048)
  .refine((value) => new URL(value).protocol === 'https:', 'use an https URI');

export const clientView = z.object({
  client_id: z.string(),
  client_name: z.string().nullable(),
  type: z.enum(['confidential', 'public']),
  grant_types: z.array(z.string()),
  redirect_uris: z.array(z.string()),
  post_logout_redirect_uris: z.array(z.string()),
  id_token_signed_response_alg: z.string(),
  default_acr_values: z.array(z.string()),
  /** `private_key_jwt` when the client authenticates with its keys (`jwks` or `jwks_uri`). */
  token_endpoint_auth_method: z.string(),
  /** RFC 9126: authorization requests only through the PAR endpoint. */
  require_pushed_authorization_requests: z.boolean(),
  /** RFC 9101: authorization requests only as signed request objects. */
  require_signed_request_object: z.boolean(),
  /** RFC 9449: tokens only against a DPoP proof, bound to its key. */
  dpop_bound_access_tokens: z.boolean(),
  /** `fapi2`: held to the FAPI 2.0 Security Profile; null: the provider's default profile. */
  client_profile: z.enum(CLIENT_PROFILES).nullable(),
  jwks: publicJwks.nullable(),
  jwks_uri: z.string().nullable(),
  /** The scopes the client may be granted, per API (changed with `PUT /clients/{id}/scopes`). */
  scopes: z.record(z.string(), z.array(z.string())),
  /**
   * Only for a client stored before per-API grants: its old flat scope list, which grants nothing
   * now. Grant the scopes again per API with `PUT /clients/{id}/scopes`; this field then goes.
   */
  legacy_scopes: z.array(z.string()).optional(),
  /**
   * What the provider uses the client for when it is one of its own (`account page`, `dashboard`):
   * such a client cannot be changed or deleted. Null for the applications operators register.
   */
  provider_role: z.string().nullable(),
});

const clientFields = {
  client_name: z.string().min(1).max(200).nullable(),
  grant_types: z.array(z.enum(GRANT_TYPES)).min(1),
  redirect_uris: z.array(redirectUri).max(20),
  post_logout_redirect_uris: z.array(redirectUri).max(20),
  id_token_signed_response_alg: z.enum(ID_TOKEN_ALGORITHMS),
  default_acr_values: z.array(z.string().min(1)).max(10),
  require_pushed_authorization_requests: z.boolean(),
  require_signed_request_object: z.boolean(),
  dpop_bound_access_tokens: z.boolean(),
  client_profile: z.enum(CLIENT_PROFILES).nullable(),
  jwks: publicJwks.nullable(),
  jwks_uri: jwksUri.nullable(),
};

const SECURITY_FIELD_DEFAULTS = {
  require_pushed_authorization_requests: false,
  require_signed_request_object: false,
  dpop_bound_access_tokens: false,
  client_profile: null,
  jwks: null,
  jwks_uri: null,
} as const;

const createClientBody = z.strictObject({
  client_id: z.string().regex(/^[A-Za-z0-9._~-]{1,128}$/, 'use 1 to 128 letters, digits or . _ ~ -'),
  public: z.boolean().default(false),
  client_name: clientFields.client_name.optional(),
  grant_types: clientFields.grant_types.default(['authorization_code', 'refresh_token']),
  redirect_uris: clientFields.redirect_uris.default([]),
  post_logout_redirect_uris: clientFields.post_logout_redirect_uris.default([]),
  // RS256 by default; ES256 for a fapi2 client (FAPI 2.0 Security Profile 5.4).
  id_token_signed_response_alg: clientFields.id_token_signed_response_alg.optional(),
  default_acr_values: clientFields.default_acr_values.default([]),
  require_pushed_authorization_requests: clientFields.require_pushed_authorization_requests.optional(),
  require_signed_request_object: clientFields.require_signed_request_object.optional(),
  dpop_bound_access_tokens: clientFields.dpop_bound_access_tokens.optional(),
  client_profile: clientFields.client_profile.optional(),
  /** Keys of a confidential client that authenticates with private_key_jwt: no secret is generated. */
  jwks: clientFields.jwks.optional(),
  jwks_uri: clientFields.jwks_uri.optional(),
});

const patchClientBody = z
  .strictObject({
    client_name: clientFields.client_name.optional(),
    grant_types: clientFields.grant_types.optional(),
    redirect_uris: clientFields.redirect_uris.optional(),
    post_logout_redirect_uris: clientFields.post_logout_redirect_uris.optional(),
    id_token_signed_response_alg: clientFields.id_token_signed_response_alg.optional(),
    default_acr_values: clientFields.default_acr_values.optional(),
    require_pushed_authorization_requests: clientFields.require_pushed_authorization_requests.optional(),
    require_signed_request_object: clientFields.require_signed_request_object.optional(),
    dpop_bound_access_tokens: clientFields.dpop_bound_access_tokens.optional(),
    client_profile: clientFields.client_profile.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'give at least one field to change');

export const clientIdParams = z.strictObject({ id: z.string().min(1).max(128) });
const withSecret = z.object({ client: clientView, client_secret: z.string() });
const rotateSecretBody = z
  .strictObject({
    /** How long the replaced secret keeps working; at most `admin.secretRotationGraceSeconds`. */
    grace_seconds: z
      .number()
      .int()
      .min(0)
      .max(30 * 24 * 3600)
      .optional(),
  })
  .prefault({});
const rotatedSecret = withSecret.extend({ previous_secret_expires_at: z.string().nullable() });

function isPublic(metadata: ClientMetadata): boolean {
  return metadata.token_endpoint_auth_method === 'none';
}

function isJwks(value: unknown): value is z.output<typeof publicJwks> {
  return publicJwks.safeParse(value).success;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

export function toClientView(metadata: ClientMetadata): z.output<typeof clientView> {
  const legacy = legacyClientScopes(metadata);
  return {
    client_id: metadata.client_id,
    client_name: typeof metadata.client_name === 'string' ? metadata.client_name : null,
    type: isPublic(metadata) ? 'public' : 'confidential',
    grant_types: strings(metadata.grant_types ?? ['authorization_code', 'refresh_token']),
    redirect_uris: strings(metadata.redirect_uris),
    post_logout_redirect_uris: strings(metadata.post_logout_redirect_uris),
    id_token_signed_response_alg:
      typeof metadata.id_token_signed_response_alg === 'string'
        ? metadata.id_token_signed_response_alg
        : 'RS256',
    default_acr_values: strings(metadata.default_acr_values),
    token_endpoint_auth_method:
      typeof metadata.token_endpoint_auth_method === 'string'
        ? metadata.token_endpoint_auth_method
        : 'client_secret_basic',
    require_pushed_authorization_requests: metadata.require_pushed_authorization_requests === true,
    require_signed_request_object: metadata.require_signed_request_object === true,
    dpop_bound_access_tokens: metadata.dpop_bound_access_tokens === true,
    client_profile: CLIENT_PROFILES.find((profile) => profile === metadata[CLIENT_PROFILE_METADATA]) ?? null,
    jwks: isJwks(metadata.jwks) ? metadata.jwks : null,
    jwks_uri: typeof metadata.jwks_uri === 'string' ? metadata.jwks_uri : null,
    scopes: clientApiScopes(metadata),
    ...(legacy ? { legacy_scopes: legacy } : {}),
    provider_role: RESERVED_CLIENT_IDS[metadata.client_id] ?? null,
  };
}

/**
 * Rules across fields, checked on the client as it would be stored, so a PATCH cannot produce what a
 * POST refuses. Field paths in errors are those of the request body.
 */
function checkClient(deps: ManagementDependencies, view: z.output<typeof clientView>, part: 'body'): void {
  const refuse = (field: string, message: string): never => {
    throw new ApiError(part === 'body' ? 'invalid_body' : 'invalid_query', `${field}: ${message}`, {
      details: { field, issues: [{ field, message }] },
    });
  };
  const codeFlow = view.grant_types.includes('authorization_code');
  if (codeFlow && view.redirect_uris.length === 0)
    refuse('redirect_uris', 'the code flow needs a redirect URI');
  if (view.grant_types.includes('refresh_token') && !codeFlow) {
    refuse('grant_types', 'refresh_token comes with authorization_code');
  }
  if (view.type === 'public' && view.grant_types.includes('client_credentials')) {
    refuse('grant_types', 'a public client cannot use client_credentials: it has no secret');
  }
  if (view.type === 'public' && view.id_token_signed_response_alg === 'HS256') {
    refuse('id_token_signed_response_alg', 'HS256 needs a client secret');
  }
  const hasKeys = view.jwks !== null || view.jwks_uri !== null;
  if (view.jwks !== null && view.jwks_uri !== null) refuse('jwks_uri', 'give jwks or jwks_uri, not both');
  if (view.type === 'public' && hasKeys) {
    refuse('jwks', 'a public client does not authenticate: keys are for confidential clients');
  }
  if (view.require_signed_request_object && !hasKeys && view.id_token_signed_response_alg !== 'HS256') {
    refuse(
      'require_signed_request_object',
      'signed request objects need the keys of the client (jwks or jwks_uri)',
    );
  }
  if (view.client_profile === 'fapi2') {
    // FAPI 2.0 Security Profile 5.3.2.2: private_key_jwt; 5.4: no HS256 or RS256.
    if (!hasKeys)
      refuse('client_profile', 'a fapi2 client authenticates with private_key_jwt: give jwks or jwks_uri');
    if (!FAPI2_SIGNING_ALGORITHMS.includes(view.id_token_signed_response_alg)) {
      refuse(
        'id_token_signed_response_alg',
        `a fapi2 client's ID tokens use one of ${FAPI2_SIGNING_ALGORITHMS.filter((alg) => alg !== 'PS256').join(', ')}`,
      );
    }
  }
  const unknownAcr = view.default_acr_values.find((acr) => !deps.ladder.isKnown(acr));
  if (unknownAcr !== undefined) refuse('default_acr_values', `"${unknownAcr}" is not on the acr ladder`);
}

/**
 * The registration fields `toMetadata` writes; a PATCH rewrites these and keeps every other one
 * (the scopes granted per API among them: only `PUT /clients/{id}/scopes` changes those, and the
 * stored secret: only `POST /clients/{id}/secret` changes that).
 */
const MANAGED_FIELDS = new Set([
  'client_name',
  'token_endpoint_auth_method',
  'grant_types',
  'response_types',
  'redirect_uris',
  'post_logout_redirect_uris',
  'id_token_signed_response_alg',
  'default_acr_values',
  'require_pushed_authorization_requests',
  'require_signed_request_object',
  'dpop_bound_access_tokens',
  CLIENT_PROFILE_METADATA,
  'jwks',
  'jwks_uri',
]);

/** The managed fields of a registration; a confidential client's secret is added by the caller. */
function toMetadata(view: z.output<typeof clientView>): ClientMetadata {
  return {
    client_id: view.client_id,
    ...(view.client_name === null ? {} : { client_name: view.client_name }),
    ...(view.type === 'public' ? { token_endpoint_auth_method: 'none' } : {}),
    ...(view.jwks !== null || view.jwks_uri !== null
      ? { token_endpoint_auth_method: 'private_key_jwt' }
      : {}),
    ...(view.jwks !== null ? { jwks: view.jwks } : {}),
    ...(view.jwks_uri !== null ? { jwks_uri: view.jwks_uri } : {}),
    grant_types: view.grant_types,
    response_types: view.grant_types.includes('authorization_code') ? ['code'] : [],
    redirect_uris: view.redirect_uris,
    post_logout_redirect_uris: view.post_logout_redirect_uris,
    id_token_signed_response_alg: view.id_token_signed_response_alg,
    ...(view.default_acr_values.length ? { default_acr_values: view.default_acr_values } : {}),
    ...(view.require_pushed_authorization_requests ? { require_pushed_authorization_requests: true } : {}),
    ...(view.require_signed_request_object ? { require_signed_request_object: true } : {}),
    ...(view.dpop_bound_access_tokens ? { dpop_bound_access_tokens: true } : {}),
    ...(view.client_profile === null ? {} : { [CLIENT_PROFILE_METADATA]: view.client_profile }),
  };
}

/** `/clients`: applications, their redirect URIs, grants, token algorithms, default acr and secrets. */
export function registerClientsRoutes(deps: ManagementDependencies): void {
  const { routes, store } = deps;
  const managementApi = managementApiIdentifier(deps.config.issuer);
  const findOr404 = async (id: string): Promise<ClientMetadata> => {
    // The account page is a static client of oidc-provider, never stored; audit events still name it.
    if (id === ACCOUNT_CLIENT_ID) return accountClientMetadata(deps.config.issuer) as ClientMetadata;
    const metadata = await store.clients.find(id);
    if (!metadata) throw new ApiError('not_found', `no client "${id}"`);
    return metadata;
  };
  const protectSecret = (metadata: ClientMetadata): ClientMetadata => {
    try {
      return protectClientSecret(metadata, deps.keys.secretBox);
    } catch (error) {
      if (!(error instanceof SecretNeedsRotationError)) throw error;
      throw new ApiError(
        'conflict',
        'HS256 ID tokens are keyed by the client secret, and only its digest is kept: register the client anew with HS256, or keep RS256',
      );
    }
  };
  const refuseSystemClient = (id: string) => {
    if (isReservedClientId(id)) {
      throw new ApiError(
        'conflict',
        `"${id}" is the provider's own ${RESERVED_CLIENT_IDS[id]} client: it cannot be changed or deleted`,
      );
    }
  };

  routes.add({
    method: 'GET',
    path: '/clients',
    summary: 'List applications',
    scope: 'read:clients',
    response: listOf(clientView),
    handler: async () => ({ items: (await store.clients.list()).map(toClientView), next_cursor: null }),
  });

  routes.add({
    method: 'POST',
    path: '/clients',
    summary: 'Register an application; a confidential one gets a generated secret, shown once',
    scope: 'create:clients',
    body: createClientBody,
    response: z.union([withSecret, z.object({ client: clientView })]),
    status: 201,
    handler: async ({ body, caller, request }) => {
      const { public: isPublicClient, ...fields } = body;
      const view = {
        ...SECURITY_FIELD_DEFAULTS,
        ...fields,
        id_token_signed_response_alg:
          fields.id_token_signed_response_alg ?? (fields.client_profile === 'fapi2' ? 'ES256' : 'RS256'),
        scopes: {},
        client_name: fields.client_name ?? null,
        type: isPublicClient ? ('public' as const) : ('confidential' as const),
        token_endpoint_auth_method: isPublicClient ? 'none' : 'client_secret_basic',
        provider_role: null,
      };
      checkClient(deps, view, 'body');
      refuseSystemClient(body.client_id);
      if (await store.clients.find(body.client_id)) {
        throw new ApiError('conflict', `a client "${body.client_id}" already exists`);
      }
      // A client that authenticates with its keys has no secret.
      const usesKeys = view.jwks !== null || view.jwks_uri !== null;
      const secret = isPublicClient || usesKeys ? undefined : generateClientSecret();
      const metadata = protectSecret({ ...toMetadata(view), ...(secret ? { client_secret: secret } : {}) });
      // The registration and its audit event are one transaction.
      await store.clients.upsert(metadata, {
        auditEvent: adminChange({
          type: 'admin.client.created',
          caller,
          request,
          time: deps.clock(),
          clientId: body.client_id,
          details: { type: view.type, grant_types: view.grant_types },
        }),
      });
      const client = toClientView(metadata);
      return secret === undefined ? { client } : { client, client_secret: secret };
    },
  });

  routes.add({
    method: 'GET',
    path: '/clients/{id}',
    summary: 'Read an application',
    scope: 'read:clients',
    params: clientIdParams,
    response: clientView,
    handler: async ({ params }) => toClientView(await findOr404(params.id)),
  });

  routes.add({
    method: 'PATCH',
    path: '/clients/{id}',
    summary: 'Change an application',
    scope: 'update:clients',
    params: clientIdParams,
    body: patchClientBody,
    response: clientView,
    handler: async ({ params, body, caller, request }) => {
      const existing = await findOr404(params.id);
      refuseSystemClient(params.id);
      assertCallerCoversClient(caller, existing, managementApi);
      const view = { ...toClientView(existing), ...body };
      checkClient(deps, view, 'body');
      // What this API does not manage (the Actions' `metadata`, the secret and a previous one in its
      // grace period, other registration fields) stays as it was; a sealed secret is hashed once
      // nothing keys with it any more.
      const kept = Object.fromEntries(
        Object.entries(existing).filter(([field]) => !MANAGED_FIELDS.has(field)),
      );
      const metadata = protectSecret({ ...kept, ...toMetadata(view) } as ClientMetadata);
      // The registration and its audit event are one transaction.
      await store.clients.upsert(metadata, {
        auditEvent: adminChange({
          type: 'admin.client.updated',
          caller,
          request,
          time: deps.clock(),
          clientId: params.id,
          details: { changed: Object.keys(body).sort() },
        }),
      });
      return toClientView(metadata);
    },
  });

  routes.add({
    method: 'DELETE',
    path: '/clients/{id}',
    summary: 'Delete an application; its tokens stop being accepted by this API',
    scope: 'delete:clients',
    recentAuthentication: true,
    params: clientIdParams,
    handler: async ({ params, caller, request }) => {
      const existing = await findOr404(params.id);
      refuseSystemClient(params.id);
      assertCallerCoversClient(caller, existing, managementApi);
      await store.clients.remove(
        params.id,
        adminChange({
          type: 'admin.client.deleted',
          caller,
          request,
          time: deps.clock(),
          clientId: params.id,
          details: {},
        }),
      );
    },
  });

  routes.add({
    method: 'POST',
    path: '/clients/{id}/secret',
    summary:
      "Replace a confidential application's secret; the new one is shown once, the old one keeps working for `grace_seconds` (default `admin.secretRotationGraceSeconds`; 0 ends it at once) and a secret kept from an earlier rotation stops at once",
    scope: 'update:clients',
    recentAuthentication: true,
    params: clientIdParams,
    body: rotateSecretBody,
    response: rotatedSecret,
    handler: async ({ params, body, caller, request }) => {
      const maxGrace = deps.config.admin.secretRotationGraceSeconds;
      const grace = body.grace_seconds ?? maxGrace;
      if (grace > maxGrace) {
        const message = `may only shorten the configured grace of ${maxGrace} seconds`;
        throw new ApiError('invalid_body', `grace_seconds: ${message}`, {
          details: { field: 'grace_seconds', issues: [{ field: 'grace_seconds', message }] },
        });
      }
      const existing = await findOr404(params.id);
      // The new secret is shown to the caller: it would act with the client's scopes.
      assertCallerCoversClient(caller, existing, managementApi);
      if (isPublic(existing)) throw new ApiError('conflict', 'a public client has no secret');
      if (existing.token_endpoint_auth_method === 'private_key_jwt') {
        throw new ApiError(
          'conflict',
          'this client authenticates with its keys (private_key_jwt): it has no secret',
        );
      }
      const now = deps.clock();
      const secret = generateClientSecret();
      // The replaced secret is only compared during its grace: its digest is all that is kept.
      const current = digestOfStoredSecret(existing, deps.keys.secretBox);
      // One previous secret at most: the one an earlier rotation kept stops here.
      const { [PREVIOUS_SECRET_METADATA]: replaced, [STORED_SECRET_METADATA]: _current, ...rest } = existing;
      const expiresAt = grace > 0 && current !== undefined ? now + grace : null;
      // The registration and its audit event are one transaction.
      await store.clients.upsert(
        protectSecret({
          ...rest,
          client_secret: secret,
          ...(expiresAt === null
            ? {}
            : { [PREVIOUS_SECRET_METADATA]: { sha256: current, expires_at: expiresAt } }),
        }),
        {
          auditEvent: adminChange({
            type: 'admin.client.secret_rotated',
            caller,
            request,
            time: now,
            clientId: params.id,
            details: {
              previous_secret_expires_at: expiresAt === null ? null : isoTime(expiresAt),
              earlier_secret_ended: isPreviousClientSecret(replaced) && replaced.expires_at > now,
            },
          }),
        },
      );
      return {
        client: toClientView(existing),
        client_secret: secret,
        previous_secret_expires_at: expiresAt === null ? null : isoTime(expiresAt),
      };
    },
  });
}
