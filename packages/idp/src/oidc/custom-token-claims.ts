import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Logger } from 'pino';
import type { JsonObject } from '../actions/json-value.ts';
import { customClaimsOnly, type LoginEffects } from '../actions/login-effects.ts';
import type { CustomClaimsRepository } from '../store/custom-claims.ts';
import { carriedBy, decideForCode } from './carried-login-facts.ts';

/** The custom claims of the tokens one token request issues. */
export interface TokenCustomClaims {
  idToken: JsonObject;
  accessToken: JsonObject;
}

const NONE: TokenCustomClaims = Object.freeze({ idToken: {}, accessToken: {} });

/**
 * Carries the custom claims that post-login Actions set (`api.idToken.setCustomClaim`,
 * `api.accessToken.setCustomClaim`) from the authorization to the tokens.
 *
 * - At the authorization, once the session satisfies the request and a code is about to be issued,
 *   `bindToGrant` stores the login's claims with the authorization's grant — one per browser
 *   session, client and account — in the store, so whichever node redeems the code finds them, and
 *   marks the code with whether it did (`customClaims`, carried-login-facts.ts), which the code
 *   passes on to its refresh tokens. A login whose Actions set none writes nothing.
 * - At the token endpoint, `forTokenRequest` reads them back through the grant named by the code
 *   or refresh token, checking that the record belongs to the same client, account and session —
 *   unless the token says its login set none, the usual case, which costs no read. (A token issued
 *   before the mark existed does not say, and is read.) A later login of the same grant that sets
 *   claims replaces the record for the tokens of every login of the grant that set any.
 * - A refresh runs the Actions again; `useForThisRequest` puts the grant's claims, overlaid with the
 *   refresh's own, on that one request (the login's record stays as it was).
 *
 * Registered claims never come out of here (`customClaimsOnly`), whatever the store holds.
 */
export class CustomTokenClaims {
  readonly #repository: CustomClaimsRepository;
  readonly #clock: () => number;
  /** The grant's lifetime (`ttl.Grant`), for a grant that does not say when it ends. */
  readonly #grantTtl: number;
  readonly #logger: Logger;
  readonly #perRequest = new WeakMap<KoaContextWithOIDC, Promise<TokenCustomClaims>>();

  constructor(options: {
    repository: CustomClaimsRepository;
    clock: () => number;
    grantTtl: number;
    logger: Logger;
  }) {
    this.#repository = options.repository;
    this.#clock = options.clock;
    this.#grantTtl = options.grantTtl;
    this.#logger = options.logger.child({ component: 'custom-claims' });
  }

  /** Stores the claims of the authorization `ctx` is about to complete, and marks its code. */
  async bindToGrant(ctx: KoaContextWithOIDC, effects: LoginEffects): Promise<void> {
    const { grant, session, client } = ctx.oidc;
    const grantId = grant?.jti;
    const accountId = session?.accountId;
    if (!grantId || !session || !accountId || !client) return;
    const idToken = customClaimsOnly(effects.idTokenClaims);
    const accessToken = customClaimsOnly(effects.accessTokenClaims);
    const setAny = Object.keys(idToken).length > 0 || Object.keys(accessToken).length > 0;
    decideForCode(ctx, 'customClaims', setAny);
    if (!setAny) return;
    const now = this.#clock();
    await this.#repository.save({
      grantId,
      sessionUid: session.uid,
      clientId: client.clientId,
      accountId,
      idToken,
      accessToken,
      expiresAt: typeof grant.exp === 'number' && grant.exp > now ? grant.exp : now + this.#grantTtl,
    });
  }

  /** The claims stored for the grant of the code or refresh token this request redeems. */
  async storedFor(ctx: KoaContextWithOIDC): Promise<TokenCustomClaims> {
    const { entities, client } = ctx.oidc;
    const source = entities.RefreshToken ?? entities.AuthorizationCode;
    if (!source?.grantId || !client || carriedBy(source).customClaims === false) return NONE;
    const record = await this.#repository.find(source.grantId, this.#clock());
    if (!record) return NONE;
    if (
      record.clientId !== client.clientId ||
      record.accountId !== source.accountId ||
      record.sessionUid !== source.sessionUid
    ) {
      // The grant id names another login's record: issue none of its claims.
      this.#logger.warn({ grantId: source.grantId }, 'custom claims of another login were not issued');
      return NONE;
    }
    return { idToken: customClaimsOnly(record.idToken), accessToken: customClaimsOnly(record.accessToken) };
  }

  /** Makes `claims` the custom claims of every token this one request issues. */
  useForThisRequest(ctx: KoaContextWithOIDC, claims: TokenCustomClaims): void {
    this.#perRequest.set(
      ctx,
      Promise.resolve({
        idToken: customClaimsOnly(claims.idToken),
        accessToken: customClaimsOnly(claims.accessToken),
      }),
    );
  }

  /** The custom claims of the tokens this token request issues; read once per request. */
  forTokenRequest(ctx: KoaContextWithOIDC): Promise<TokenCustomClaims> {
    let claims = this.#perRequest.get(ctx);
    if (!claims) {
      claims = this.storedFor(ctx);
      this.#perRequest.set(ctx, claims);
    }
    return claims;
  }
}
