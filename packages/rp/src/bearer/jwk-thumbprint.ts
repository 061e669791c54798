import { hash } from 'node:crypto';

/** RFC 7638 3.2: the members a thumbprint covers, per key type, in lexicographic order. */
const REQUIRED_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
  RSA: ['e', 'kty', 'n'],
};

/**
 * The RFC 7638 input of a public JWK — its required members, in order, as JSON without whitespace —
 * or undefined when a member is missing or not a string. Two JWKs of the same key give the same input.
 */
export function thumbprintInput(jwk: Record<string, unknown>): string | undefined {
  const members = typeof jwk.kty === 'string' ? REQUIRED_MEMBERS[jwk.kty] : undefined;
  if (members === undefined) return undefined;
  const canonical: Record<string, string> = {};
  for (const member of members) {
    const value = jwk[member];
    if (typeof value !== 'string' || value === '') return undefined;
    canonical[member] = value;
  }
  return JSON.stringify(canonical);
}

/** The SHA-256 JWK thumbprint (RFC 7638 3) of `input`, base64url: what `cnf.jkt` holds (RFC 9449 6.1). */
export function sha256Thumbprint(input: string): string {
  return hash('sha256', input, 'base64url');
}
