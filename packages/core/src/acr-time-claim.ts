/**
 * The name of the ID token claim in which a Stepup provider says when the authentication reached its
 * current level: the time (seconds since the epoch) of the latest proof that counts toward the issued
 * `acr` and `amr` — for a password then a push approval, the approval's time. `auth_time` cannot say
 * it: it is the earliest such proof, the one `max_age` is measured from.
 *
 * No registered claim carries a per-method time, so the name is a Public Name: OIDC Core 5.1.2 asks
 * for a collision-resistant one (RFC 7519 section 4.2), and a URI under the issuer's own namespace is
 * one that only that issuer allocates. It is `<issuer>/claims/acr_time`, the issuer without a trailing
 * slash.
 *
 * @example
 * ```ts
 * acrTimeClaimName('https://idp.example.com'); // 'https://idp.example.com/claims/acr_time'
 * ```
 */
export function acrTimeClaimName(issuer: string): string {
  if (typeof issuer !== 'string' || issuer.length === 0) {
    throw new TypeError('acrTimeClaimName: issuer must be a non-empty string');
  }
  return `${issuer.replace(/\/+$/, '')}/claims/acr_time`;
}
