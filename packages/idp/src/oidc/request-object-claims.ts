import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { clientProfileOf, FAPI2_SIGNING_ALGORITHMS } from './client-security-profile.ts';

/** FAPI 2.0 Message Signing 5.3.1 / RFC 9101 10.8: a pushed request object lives at most an hour. */
const MAX_REQUEST_OBJECT_LIFETIME_SECONDS = 3600;

/**
 * oidc-provider's `requestObjects.assertJwtClaimsAndHeader`, which replaces its own: for a fapi2
 * client, the request object is signed with PS256, ES256 or EdDSA (FAPI 2.0 Security Profile 5.4),
 * and carries `exp`, `nbf` and `aud` with `exp` at most an hour after `nbf` (the check oidc-provider
 * makes for its FAPI profiles, kept here).
 */
export function assertRequestObjectClaims(
  ctx: KoaContextWithOIDC,
  claims: Record<string, unknown>,
  header: { alg?: string },
): void {
  if (clientProfileOf(ctx.oidc.client) !== 'fapi2') return;
  if (!FAPI2_SIGNING_ALGORITHMS.includes(header.alg ?? '')) {
    throw new errors.InvalidRequestObject(
      `a fapi2 client signs its request object with ${FAPI2_SIGNING_ALGORITHMS.join(', ')}`,
    );
  }
  for (const claim of ['exp', 'aud', 'nbf']) {
    if (claims[claim] === undefined) {
      throw new errors.InvalidRequestObject(`Request Object is missing the '${claim}' claim`);
    }
  }
  const lifetime = Number(claims.exp) - Number(claims.nbf);
  if (!(lifetime > 0 && lifetime <= MAX_REQUEST_OBJECT_LIFETIME_SECONDS)) {
    throw new errors.InvalidRequestObject("Request Object 'exp' claim too far from 'nbf' claim");
  }
}
