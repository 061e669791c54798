import { acrTimeClaimName } from '@stepup/core';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC, UnknownObject } from 'oidc-provider';
import { carriedBy, decideForCode } from './carried-login-facts.ts';

/**
 * Records when the authentication reached the level the step-up check just put on the session
 * (`evaluateSession().acrTime`), for the authorization code this request issues.
 */
export function recordAcrTime(ctx: KoaContextWithOIDC, acrTime: number | undefined): void {
  decideForCode(ctx, 'acrTime', acrTime);
}

/**
 * Puts the time an authentication reached its level (core `acrTimeClaimName`) into each ID token,
 * from the code or refresh token it is issued for, which carry it as they carry `acr`, `amr` and
 * `auth_time` (carried-login-facts.ts). So silent authentication recomputes it with the level, and
 * a refresh never changes it (ARCHITECTURE.md, invariant 4). oidc-provider builds ID tokens with
 * fixed properties, so its `IdToken` is replaced by a subclass that adds the claim.
 */
export function addAcrTimeToIdTokens(provider: Provider): void {
  const claimName = acrTimeClaimName(provider.issuer);

  const BaseIdToken = provider.IdToken;
  class IdToken extends BaseIdToken {
    override async payload(): Promise<UnknownObject> {
      // Whatever an Action put under this name (the custom claims are laid in below) is dropped:
      // the claim is only ever the provider's own computation.
      const { [claimName]: _fromAction, ...payload } = await super.payload();
      const entities = this.ctx?.oidc.entities;
      const { acrTime } = carriedBy(entities?.RefreshToken ?? entities?.AuthorizationCode);
      // Only next to the `auth_time` it follows, and never outside [auth_time, iat]; oidc-provider
      // sets `iat` from its own clock when it signs, after this.
      if (typeof acrTime !== 'number' || typeof payload.auth_time !== 'number') return payload;
      if (acrTime < payload.auth_time || acrTime > Math.floor(Date.now() / 1000)) return payload;
      return { ...payload, [claimName]: acrTime };
    }
  }

  // The class keeps its name: oidc-provider looks up `ttl.IdToken` by it.
  Object.defineProperty(provider, 'IdToken', { value: IdToken, enumerable: true });
}
