import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Server-provided DPoP nonces (RFC 9449 9): the guard sends `current()` in a `DPoP-Nonce` header with
 * a `use_dpop_nonce` challenge, and accepts a proof only when `accepts(nonce)`.
 *
 * @example
 * ```ts
 * const nonces: DpopNonceSource = createDpopNonceSource({ secret: process.env.DPOP_NONCE_SECRET ?? '' });
 * ```
 */
export interface DpopNonceSource {
  current(): string;
  accepts(nonce: string): boolean;
}

/**
 * Stateless nonces: the current time window and its HMAC under `secret` (at least 32 bytes). Nodes
 * that share the secret accept each other's nonces; a nonce is accepted during its window and the
 * next (`lifetime` seconds each, default 300).
 *
 * @example
 * ```ts
 * const guard = await createBearerGuard({ ...options, dpop: { nonce: createDpopNonceSource({ secret }) } });
 * ```
 */
export function createDpopNonceSource(options: {
  secret: string | Uint8Array;
  lifetime?: number;
  clock?: () => number;
}): DpopNonceSource {
  const secret =
    typeof options.secret === 'string' ? new TextEncoder().encode(options.secret) : options.secret;
  if (!(secret instanceof Uint8Array) || secret.byteLength < 32) {
    throw new TypeError('createDpopNonceSource: secret must be at least 32 bytes');
  }
  const lifetime = options.lifetime ?? 300;
  if (!Number.isSafeInteger(lifetime) || lifetime < 10 || lifetime > 3600) {
    throw new TypeError('createDpopNonceSource: lifetime must be an integer from 10 to 3600 seconds');
  }
  const clock = options.clock ?? (() => Math.floor(Date.now() / 1000));
  const mac = (window: number) =>
    createHmac('sha256', secret).update(`dpop-nonce.${window}`).digest().subarray(0, 16);
  const nonceOf = (window: number) => `${window.toString(36)}.${mac(window).toString('base64url')}`;
  return {
    current: () => nonceOf(Math.floor(clock() / lifetime)),
    accepts(nonce) {
      const [encodedWindow, encodedMac, extra] = nonce.split('.');
      if (encodedWindow === undefined || encodedMac === undefined || extra !== undefined) return false;
      if (!/^[0-9a-z]{1,12}$/.test(encodedWindow)) return false;
      const window = Number.parseInt(encodedWindow, 36);
      const now = Math.floor(clock() / lifetime);
      if (window !== now && window !== now - 1) return false;
      const given = Buffer.from(encodedMac, 'base64url');
      const expected = mac(window);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}
