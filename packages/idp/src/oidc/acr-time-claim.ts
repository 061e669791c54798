import { acrTimeClaimName } from '@stepup/core';
import Provider, { type KoaContextWithOIDC, type UnknownObject } from 'oidc-provider';

/** The time the step-up check computed for the code the authorization request is about to issue. */
const decidedAcrTimes = new WeakMap<KoaContextWithOIDC, number>();

/**
 * Records when the authentication reached the level the step-up check just put on the session
 * (`evaluateSession().acrTime`), for the authorization code this request issues.
 */
export function recordAcrTime(ctx: KoaContextWithOIDC, acrTime: number | undefined): void {
  if (acrTime === undefined) decidedAcrTimes.delete(ctx);
  else decidedAcrTimes.set(ctx, acrTime);
}

interface CarriesAcrTime {
  acrTime?: number;
}

/**
 * Carries the time an authentication reached its level (core `acrTimeClaimName`) as
 * oidc-provider carries `acr`, `amr` and `auth_time`: the authorization code takes it from the
 * step-up check of its own request, a refresh token from the code or the refresh token it replaces,
 * and each ID token from the code or refresh token it is issued for. So silent authentication
 * recomputes it with the level, and a refresh never changes it (ARCHITECTURE.md, invariant 4).
 *
 * oidc-provider stores only the properties a model lists in `IN_PAYLOAD` and builds tokens with
 * fixed properties, so the models are replaced by subclasses (keeping their class names, which
 * oidc-provider uses as the stored `kind`) that list `acrTime` and fill it in when saved.
 */
export function carryAcrTime(provider: Provider): void {
  const claimName = acrTimeClaimName(provider.issuer);

  const BaseCode = provider.AuthorizationCode;
  class AuthorizationCode extends BaseCode {
    static override IN_PAYLOAD = [...BaseCode.IN_PAYLOAD, 'acrTime'];

    override async save(): Promise<string> {
      const self = this as CarriesAcrTime;
      const ctx = Provider.ctx;
      const decided = ctx && decidedAcrTimes.get(ctx);
      if (self.acrTime === undefined && decided !== undefined) self.acrTime = decided;
      return super.save();
    }
  }

  const BaseRefreshToken = provider.RefreshToken;
  class RefreshToken extends BaseRefreshToken {
    static override IN_PAYLOAD = [...BaseRefreshToken.IN_PAYLOAD, 'acrTime'];

    override async save(): Promise<string> {
      const self = this as CarriesAcrTime;
      const entities = Provider.ctx?.oidc.entities;
      // A rotation replaces a refresh token; the first one comes from the code.
      const source = (entities?.RotatedRefreshToken ?? entities?.AuthorizationCode) as
        | CarriesAcrTime
        | undefined;
      if (self.acrTime === undefined && typeof source?.acrTime === 'number') self.acrTime = source.acrTime;
      return super.save();
    }
  }

  const BaseIdToken = provider.IdToken;
  class IdToken extends BaseIdToken {
    override async payload(): Promise<UnknownObject> {
      // Whatever an Action put under this name (the custom claims are laid in below) is dropped:
      // the claim is only ever the provider's own computation.
      const { [claimName]: _fromAction, ...payload } = await super.payload();
      const entities = this.ctx?.oidc.entities;
      const source = (entities?.RefreshToken ?? entities?.AuthorizationCode) as CarriesAcrTime | undefined;
      const acrTime = source?.acrTime;
      // Only next to the `auth_time` it follows, and never outside [auth_time, iat]; oidc-provider
      // sets `iat` from its own clock when it signs, after this.
      if (typeof acrTime !== 'number' || typeof payload.auth_time !== 'number') return payload;
      if (acrTime < payload.auth_time || acrTime > Math.floor(Date.now() / 1000)) return payload;
      return { ...payload, [claimName]: acrTime };
    }
  }

  // The classes keep their names: oidc-provider looks up `ttl.*` and the stored `kind` by them.
  for (const Model of [AuthorizationCode, RefreshToken, IdToken]) {
    Object.defineProperty(provider, Model.name, { value: Model, enumerable: true });
  }
}
