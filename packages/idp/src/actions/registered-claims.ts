/**
 * Claims an Action may not set in an ID or access token: what the provider computes and signs
 * (RFC 7519 4.1, OIDC Core 2 and 3.1.3.6, RFC 9068 2.2, RFC 8693 4, RFC 7800 3, RFC 9396 7), and the OIDC Core
 * 5.1 identity claims, which come from the user record — an Action that could write `email` could
 * make one person look like another to an app.
 */
export const REGISTERED_CLAIMS: ReadonlySet<string> = new Set([
  // JWT
  'iss',
  'sub',
  'aud',
  'exp',
  'nbf',
  'iat',
  'jti',
  // OpenID Connect and the step-up context (ARCHITECTURE.md, invariant 1)
  'azp',
  'nonce',
  'auth_time',
  'acr',
  'amr',
  'at_hash',
  'c_hash',
  's_hash',
  'sid',
  'sub_jwk',
  '_claim_names',
  '_claim_sources',
  // access tokens, token exchange, proof of possession
  'client_id',
  'scope',
  'cnf',
  'act',
  'may_act',
  'typ',
  // rich authorization requests: what the person approved on their device (RFC 9396 7)
  'authorization_details',
  // OIDC Core 5.1 standard claims
  'name',
  'given_name',
  'family_name',
  'middle_name',
  'nickname',
  'preferred_username',
  'profile',
  'picture',
  'website',
  'email',
  'email_verified',
  'gender',
  'birthdate',
  'zoneinfo',
  'locale',
  'phone_number',
  'phone_number_verified',
  'address',
  'updated_at',
  // never a plain JSON member
  '__proto__',
]);

/** True when an Action may not set a custom claim of this name. */
export function isRegisteredClaim(name: string): boolean {
  return REGISTERED_CLAIMS.has(name);
}
