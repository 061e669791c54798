import type Provider from 'oidc-provider';
import type { UnknownObject } from 'oidc-provider';
import type { CustomTokenClaims } from './custom-token-claims.ts';

/**
 * Puts the post-login Actions' ID token claims into the ID tokens the token endpoint issues.
 *
 * oidc-provider builds an ID token from `findAccount().claims()` filtered to the claims a scope
 * maps (`claims` configuration), so a claim whose name an operator's script chooses can not pass
 * that way; `extraTokenClaims` is for access tokens only. Its `IdToken` model is the one place every
 * ID token goes through: this replaces the provider's `IdToken` with a subclass whose `payload()`
 * adds the custom claims under what oidc-provider computed — a name already in the payload keeps
 * the provider's value, and registered names were dropped before (`customClaimsOnly`). Only tokens
 * issued as ID tokens (`use: 'idtoken'`) get them, not userinfo or logout tokens.
 */
export function addCustomClaimsToIdTokens(provider: Provider, customClaims: CustomTokenClaims): void {
  const Base = provider.IdToken;
  class IdToken extends Base {
    #use: string | undefined;

    override async issue(options: Parameters<InstanceType<typeof Base>['issue']>[0]): Promise<string> {
      this.#use = options.use;
      return super.issue(options);
    }

    override async payload(): Promise<UnknownObject> {
      const payload = await super.payload();
      if (this.#use !== 'idtoken' || !this.ctx) return payload;
      const { idToken } = await customClaims.forTokenRequest(this.ctx);
      return { ...idToken, ...payload };
    }
  }
  // The class keeps the name `IdToken`: oidc-provider looks up `ttl.IdToken` by the class name.
  // Configurable, so that `addAcrTimeToIdTokens` and `addAuthorizationDetailsToIdTokens` can extend it in turn.
  Object.defineProperty(provider, 'IdToken', { value: IdToken, enumerable: true, configurable: true });
}
