import type { KoaContextWithOIDC } from 'oidc-provider';
import type { AuthEvent } from '../log/auth-events.ts';
import { GRANT_SOURCE_ALREADY_CONSUMED } from '../store/invalid-grant-error.ts';

/**
 * The `invalid_grant` details that mean a consumed refresh token came back after its reuse interval
 * and its grant was revoked: oidc-provider's, when it finds the token consumed, and the store's, when
 * the token was consumed (past the interval) between oidc-provider's read and its own `consume`.
 */
const REUSE_DETAILS: ReadonlySet<unknown> = new Set([
  'refresh token already used',
  GRANT_SOURCE_ALREADY_CONSUMED,
]);

/**
 * The audit event of a failed token request that was a refresh token reused after its interval
 * (RFC 9700 4.14.2): whose grant, which client, from where. Undefined for any other failure.
 */
export function refreshTokenReuseOf(ctx: KoaContextWithOIDC, error: unknown): AuthEvent | undefined {
  const { client, entities, params } = ctx.oidc;
  const { error: code, error_detail: detail } = error as { error?: unknown; error_detail?: unknown };
  if (params?.grant_type !== 'refresh_token' || code !== 'invalid_grant' || !REUSE_DETAILS.has(detail)) {
    return undefined;
  }
  if (!client) return undefined;
  const token = entities.RefreshToken;
  return {
    event: 'refresh_token.reused',
    clientId: client.clientId,
    ip: ctx.ip,
    ...(token?.accountId ? { userId: token.accountId } : {}),
    ...(token?.grantId ? { grantId: token.grantId } : {}),
  };
}
