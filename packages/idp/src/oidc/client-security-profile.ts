import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import type { StepupConfig } from '../config/config-schema.ts';
import { isReservedClientId } from '../store/clients.ts';
import { type LoadedClient, loadedClientMetadata } from './loaded-client-metadata.ts';

/**
 * The client metadata that names a client's security profile: `fapi2` holds it to the FAPI 2.0
 * Security Profile, `standard` to the provider's floor (`requestSecurity`). Absent: the provider's
 * `requestSecurity.defaultClientProfile`.
 */
export const CLIENT_PROFILE_METADATA = 'client_profile';

export const CLIENT_PROFILES = ['standard', 'fapi2'] as const;
export type ClientProfile = (typeof CLIENT_PROFILES)[number];

/** FAPI 2.0 Security Profile 5.4: the only JWS algorithms a fapi2 client may sign with. */
export const FAPI2_SIGNING_ALGORITHMS: readonly string[] = ['PS256', 'ES256', 'EdDSA'];

/** FAPI 2.0 Security Profile 5.3.2.1: authorization codes live at most 60 seconds. */
export const FAPI2_MAX_CODE_TTL_SECONDS = 60;

type RequestSecurity = StepupConfig['requestSecurity'];

function isClientProfile(value: unknown): value is ClientProfile {
  return typeof value === 'string' && (CLIENT_PROFILES as readonly string[]).includes(value);
}

/**
 * Turns a registration into what the provider enforces, as oidc-provider loads it (its
 * `extraClientMetadata.validator` may rewrite the metadata it is given): the provider-wide floor, then
 * the rules of the client's profile. The resolved profile is written back into the metadata, so a
 * loaded client always says which rules it runs under. Throws `InvalidClientMetadata` for a
 * registration its profile forbids, so the management API and the CLI refuse it before it is stored.
 * The provider's own clients (account page, dashboard) are public browser clients the floor and
 * `fapi2` cannot apply to: they keep their own registration.
 */
export function enforceClientSecurityProfile(
  metadata: Record<string, unknown>,
  floor: RequestSecurity,
): void {
  const declared = metadata[CLIENT_PROFILE_METADATA];
  if (declared !== undefined && !isClientProfile(declared)) {
    throw new errors.InvalidClientMetadata(
      `${CLIENT_PROFILE_METADATA} must be ${CLIENT_PROFILES.map((p) => `"${p}"`).join(' or ')}`,
    );
  }
  if (typeof metadata.client_id === 'string' && isReservedClientId(metadata.client_id)) return;
  const profile = declared ?? floor.defaultClientProfile;
  metadata[CLIENT_PROFILE_METADATA] = profile;
  if (floor.requirePushedAuthorizationRequests) metadata.require_pushed_authorization_requests = true;
  if (floor.requireSignedRequestObjects) metadata.require_signed_request_object = true;
  if (profile !== 'fapi2') return;
  // FAPI 2.0 Security Profile 5.3.2.2: confidential clients, authenticated by private_key_jwt (or
  // mutual TLS, which this provider does not offer).
  if (metadata.token_endpoint_auth_method !== 'private_key_jwt') {
    throw new errors.InvalidClientMetadata(
      'a fapi2 client authenticates with token_endpoint_auth_method "private_key_jwt"',
    );
  }
  // 5.3.2.2-2: pushed authorization requests only.
  metadata.require_pushed_authorization_requests = true;
  // 5.3.2.1-1: sender-constrained access tokens, here by DPoP.
  metadata.dpop_bound_access_tokens = true;
  // 5.4: no HS256 (nor RS256); ES256 when the registration kept the provider's RS256 default.
  const idTokenAlg = metadata.id_token_signed_response_alg;
  if (idTokenAlg === undefined || idTokenAlg === 'RS256') metadata.id_token_signed_response_alg = 'ES256';
  else if (typeof idTokenAlg !== 'string' || !FAPI2_SIGNING_ALGORITHMS.includes(idTokenAlg)) {
    throw new errors.InvalidClientMetadata(
      `a fapi2 client's id_token_signed_response_alg must be one of ${FAPI2_SIGNING_ALGORITHMS.join(', ')}`,
    );
  }
}

/** The profile of a loaded client (see `enforceClientSecurityProfile`); `standard` for none. */
export function clientProfileOf(client: LoadedClient | undefined): ClientProfile {
  const profile = client && loadedClientMetadata(client)[CLIENT_PROFILE_METADATA];
  return isClientProfile(profile) ? profile : 'standard';
}

/** oidc-provider's FAPI profile for the request's client: '2.0' for fapi2 clients, else none. */
export function fapiProfileOf(_ctx: KoaContextWithOIDC, client?: LoadedClient) {
  return clientProfileOf(client) === 'fapi2' ? '2.0' : undefined;
}

/** 5.4: a fapi2 client's client assertion is signed with PS256, ES256 or EdDSA. */
export function assertClientAssertionAlgorithm(
  ctx: KoaContextWithOIDC,
  claims: Record<string, unknown>,
  header: { alg?: string },
): void {
  if (clientProfileOf(ctx.oidc.client) !== 'fapi2') return;
  if (!FAPI2_SIGNING_ALGORITHMS.includes(header.alg ?? '')) {
    throw new errors.InvalidClientAuth(
      `a fapi2 client signs its client_assertion with ${FAPI2_SIGNING_ALGORITHMS.join(', ')}`,
    );
  }
  // oidc-provider's own FAPI 2.0 check: the audience is the issuer itself.
  if (claims.aud !== ctx.oidc.issuer) {
    throw new errors.InvalidClientAuth('audience (aud) must equal the issuer identifier url');
  }
}
