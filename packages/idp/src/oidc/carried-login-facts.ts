import Provider, { type KoaContextWithOIDC } from 'oidc-provider';

/**
 * What the authorization decides about its login beyond `acr`, `amr` and `auth_time`, carried as
 * oidc-provider carries those three: the authorization code takes it from its own request, a
 * refresh token from the code or the refresh token it replaces. Every node reads it with the token
 * it redeems, so it costs no store read of its own.
 * - `acrTime`: when the authentication reached its level (acr-time-claim.ts);
 * - `customClaims`: whether the login's post-login Actions set custom claims, stored with the grant
 *   (custom-token-claims.ts); a token without it was issued before it existed.
 */
export interface CarriedLoginFacts {
  acrTime?: number;
  customClaims?: boolean;
}

type Fact = keyof CarriedLoginFacts;
const FACTS: readonly Fact[] = ['acrTime', 'customClaims'];

/** The facts the authorization request `ctx` decided for the code it is about to issue. */
const decided = new WeakMap<KoaContextWithOIDC, CarriedLoginFacts>();

/** Records (or, with `undefined`, forgets) a fact for the code the request `ctx` issues. */
export function decideForCode<F extends Fact>(
  ctx: KoaContextWithOIDC,
  fact: F,
  value: CarriedLoginFacts[F] | undefined,
): void {
  const facts = decided.get(ctx) ?? {};
  if (value === undefined) delete facts[fact];
  else facts[fact] = value;
  decided.set(ctx, facts);
}

/** The facts an authorization code or refresh token carries (none for any other model). */
export function carriedBy(token: unknown): CarriedLoginFacts {
  return (token ?? {}) as CarriedLoginFacts;
}

/**
 * oidc-provider stores only the properties a model lists in `IN_PAYLOAD`, so its
 * `AuthorizationCode` and `RefreshToken` are replaced by subclasses (keeping their class names,
 * which oidc-provider uses as the stored `kind` and to look up `ttl.*`) that list the facts and
 * fill them in when saved. Call once, before anything else subclasses these two.
 */
export function carryLoginFacts(provider: Provider): void {
  const BaseCode = provider.AuthorizationCode;
  class AuthorizationCode extends BaseCode {
    static override IN_PAYLOAD = [...BaseCode.IN_PAYLOAD, ...FACTS];

    override async save(): Promise<string> {
      const ctx = Provider.ctx;
      fillIn(this, ctx && decided.get(ctx));
      return super.save();
    }
  }

  const BaseRefreshToken = provider.RefreshToken;
  class RefreshToken extends BaseRefreshToken {
    static override IN_PAYLOAD = [...BaseRefreshToken.IN_PAYLOAD, ...FACTS];

    override async save(): Promise<string> {
      const entities = Provider.ctx?.oidc.entities;
      // A rotation replaces a refresh token; the first one comes from the code.
      fillIn(this, carriedBy(entities?.RotatedRefreshToken ?? entities?.AuthorizationCode));
      return super.save();
    }
  }

  for (const Model of [AuthorizationCode, RefreshToken]) {
    Object.defineProperty(provider, Model.name, { value: Model, enumerable: true });
  }
}

/** Copies the facts `token` does not hold yet from `source`. */
function fillIn(token: object, source: CarriedLoginFacts | undefined): void {
  if (!source) return;
  const facts = token as CarriedLoginFacts;
  if (facts.acrTime === undefined && typeof source.acrTime === 'number') facts.acrTime = source.acrTime;
  if (facts.customClaims === undefined && typeof source.customClaims === 'boolean')
    facts.customClaims = source.customClaims;
}
