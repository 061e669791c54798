import { type AcrLadder, evaluateRequirement, type MethodName } from '@stepup/core';
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import type { LoginActions } from '../actions/login-actions.ts';
import { changesMetadata } from '../actions/login-effects.ts';
import type { AuthEventLogger } from '../log/auth-events.ts';
import type { UserMetadataRepository } from '../store/user-metadata.ts';
import type { CustomTokenClaims } from './custom-token-claims.ts';

/** Why a refresh was refused when an Action asked for MFA the refresh token's login did not have. */
export const REFRESH_NEEDS_MFA =
  'the sign-in rules require multi-factor authentication for this refresh: sign in again';

/** Why a refresh was refused when an Action wanted to send the browser somewhere. */
export const REFRESH_NEEDS_BROWSER = 'the sign-in rules need the browser: sign in again';

/** Why a refresh was refused when an Action asked for an enrollment, which needs the person present. */
export const REFRESH_NEEDS_ENROLLMENT = 'the sign-in rules require enrolling a second factor: sign in again';

export interface RefreshTokenActionsDependencies {
  loginActions: LoginActions;
  enrolledMethods: (accountId: string) => Promise<MethodName[]>;
  customClaims: CustomTokenClaims;
  userMetadata: UserMetadataRepository;
  ladder: AcrLadder;
  clock: () => number;
  logAuthEvent: AuthEventLogger;
}

/**
 * Runs the post-login Actions for a refresh token grant (`event.transaction.protocol` is
 * `oauth2-refresh-token`), after oidc-provider has validated the refresh token, its client and
 * grant, and before anything is consumed or issued. Refusals throw `invalid_grant` (RFC 6749 5.2:
 * the one token endpoint error for a grant that may no longer be used), so nothing is issued and
 * the refresh token is not rotated:
 * - `api.access.deny` or a failed Action (fail closed), with the same reason as at a login;
 * - MFA asked for (`multifactor.enable`, `challengeWith*`, `enrollWith*`) that the refresh token's
 *   own login does not satisfy now — its `acr` below the multi-factor level, or older than that
 *   level's maximum age. Nobody is there to show a page to; the application sends the person
 *   through the authorization endpoint again. Refresh never upgrades `acr`/`amr`/`auth_time`
 *   (ARCHITECTURE.md, invariant 4): they stay the refresh token's;
 * - an enrollment asked for (`enrollWith*`), whatever the login had: it needs the person.
 *
 * When allowed, the claims the Actions set now are laid over the login's for the tokens of this
 * request, and metadata changes are written.
 */
export async function runRefreshTokenActions(
  ctx: KoaContextWithOIDC,
  deps: RefreshTokenActionsDependencies,
): Promise<void> {
  const { client, entities } = ctx.oidc;
  const refreshToken = entities.RefreshToken;
  const accountId = refreshToken?.accountId;
  if (!refreshToken || !client || !accountId) return;
  const amr = Array.isArray(refreshToken.amr) ? refreshToken.amr : [];
  const authTime = typeof refreshToken.authTime === 'number' ? refreshToken.authTime : 0;
  // The scope the refreshed tokens will have; never the refresh token itself, which is a credential.
  const scope = ctx.oidc.params?.scope ?? refreshToken.scope;
  const decision = await deps.loginActions.run({
    accountId,
    clientId: client.clientId,
    clientName: typeof client.clientName === 'string' ? client.clientName : null,
    // The API the refresh token is for: what `api.accessToken.addScope` is checked against. The
    // refreshed token keeps the scope of its login (oidc-provider's rule); a rule that adds a scope
    // added it at that login.
    params: {
      ...(typeof scope === 'string' ? { scope } : {}),
      ...(refreshToken.resource === undefined ? {} : { resource: refreshToken.resource }),
    },
    protocol: 'oauth2-refresh-token',
    ip: ctx.ip,
    userAgent: ctx.get('user-agent') || null,
    hostname: ctx.hostname,
    proofs: [],
    recordedAuthentication: { amr, authTime },
    enrolledMethods: () => deps.enrolledMethods(accountId),
  });
  if (decision.decision === 'deny') throw refusal(decision.reason);
  // Not reached: a refresh gives the Actions no browser, so `api.redirect.sendUserTo` fails there.
  if (decision.decision === 'redirect') throw refusal(REFRESH_NEEDS_BROWSER);
  if (decision.requirement.enroll) {
    deps.logAuthEvent({
      event: 'stepup.refused',
      userId: accountId,
      clientId: client.clientId,
      reason: 'an Action asked for an enrollment at a refresh',
    });
    throw refusal(REFRESH_NEEDS_ENROLLMENT);
  }

  const required = decision.requirement.acr;
  if (required) {
    const level = deps.ladder.levels.find((candidate) => candidate.acr === required);
    const context =
      typeof refreshToken.acr === 'string' ? { acr: refreshToken.acr, amr, auth_time: authTime } : undefined;
    const { satisfied } = evaluateRequirement(
      context,
      { acr: [required], ...(level?.maxAge === undefined ? {} : { maxAge: level.maxAge }) },
      { ladder: deps.ladder, now: deps.clock() },
    );
    if (!satisfied) {
      deps.logAuthEvent({
        event: 'stepup.refused',
        userId: accountId,
        clientId: client.clientId,
        reason: 'an Action asked for MFA at a refresh',
      });
      throw refusal(REFRESH_NEEDS_MFA);
    }
  }

  const { effects } = decision;
  const stored = await deps.customClaims.storedFor(ctx);
  deps.customClaims.useForThisRequest(ctx, {
    idToken: { ...stored.idToken, ...effects.idTokenClaims },
    accessToken: { ...stored.accessToken, ...effects.accessTokenClaims },
  });
  if (changesMetadata(effects)) await deps.userMetadata.apply(accountId, effects);
}

/**
 * `invalid_grant` with the reason as its public `error_description` (oidc-provider's `InvalidGrant`
 * keeps its argument private), as an authorization denial shows the Action's reason.
 */
function refusal(description: string): Error {
  return new errors.CustomOIDCProviderError('invalid_grant', description);
}
