import { createHash, timingSafeEqual } from 'node:crypto';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * True when an `Authorization` header carries `Bearer <expected>` (RFC 6750 2.1). Both sides are
 * hashed first, so the comparison takes the same time whatever the length or content of the guess.
 */
export function isAdminBearerToken(authorization: string | undefined, expected: string): boolean {
  const match = /^Bearer +([\x21-\x7e]+) *$/i.exec(authorization ?? '');
  const given = match?.[1] ?? '';
  // Compare even when the header is malformed, so its shape does not change the timing.
  return timingSafeEqual(digest(given), digest(expected)) && match !== null;
}
