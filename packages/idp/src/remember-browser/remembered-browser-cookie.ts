import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** What a "remember this browser" cookie says: whose it is, which epoch it belongs to, until when. */
export interface RememberedBrowser {
  userId: string;
  /** The user's `rememberedBrowsersEpoch` when the cookie was issued; a raised epoch voids it. */
  epoch: number;
  /** Epoch seconds. */
  expiresAt: number;
}

const MAC_CONTEXT = 'stepup remember-browser v1\0';

/**
 * One cookie per user (a shared computer may remember several people), named after a hash of the
 * user id so the id itself is not spelled out in the cookie jar.
 */
export function rememberedBrowserCookieName(userId: string): string {
  return `stepup_remember_${createHash('sha256').update(userId).digest('base64url').slice(0, 16)}`;
}

/** `<payload>.<mac>`: base64url JSON, then HMAC-SHA256 over it with the provider's first cookie key. */
export function sealRememberedBrowser(remembered: RememberedBrowser, keys: readonly string[]): string {
  const payload = Buffer.from(
    JSON.stringify({ sub: remembered.userId, epoch: remembered.epoch, exp: remembered.expiresAt }),
  ).toString('base64url');
  const [key] = keys;
  if (!key) throw new TypeError('sealRememberedBrowser needs at least one cookie key');
  return `${payload}.${mac(payload, key)}`;
}

/**
 * Reads a cookie value back. Undefined unless one of the keys (the current one or an older one still
 * configured) signed it and it is well formed; expiry and epoch are the caller's to check.
 */
export function openRememberedBrowser(
  value: string | undefined,
  keys: readonly string[],
): RememberedBrowser | undefined {
  if (!value || value.length > 1024) return undefined;
  const [payload, signature, extra] = value.split('.');
  if (!payload || !signature || extra !== undefined) return undefined;
  const given = Buffer.from(signature);
  const signed = keys.some((key) => {
    const expected = Buffer.from(mac(payload, key));
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  if (!signed) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { sub, epoch, exp } = parsed as { sub?: unknown; epoch?: unknown; exp?: unknown };
  if (typeof sub !== 'string' || !Number.isSafeInteger(epoch) || !Number.isSafeInteger(exp)) return undefined;
  return { userId: sub, epoch: epoch as number, expiresAt: exp as number };
}

function mac(payload: string, key: string): string {
  return createHmac('sha256', key).update(MAC_CONTEXT).update(payload).digest('base64url');
}
