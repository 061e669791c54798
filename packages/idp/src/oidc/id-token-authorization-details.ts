import type Provider from 'oidc-provider';
import type { UnknownObject } from 'oidc-provider';

/**
 * Puts the approved `authorization_details` (RFC 9396) into the ID token of the code exchange, next
 * to the `acr`, `amr` and `auth_time` of the approval: the relying party learns from the token it
 * validates what the person approved. Only the authorization code's details, so a refresh (or
 * userinfo, or a logout token) never carries them again. Same subclassing as `addCustomClaimsToIdTokens`.
 */
export function addAuthorizationDetailsToIdTokens(provider: Provider): void {
  const Base = provider.IdToken;
  class IdToken extends Base {
    #use: string | undefined;

    override async issue(options: Parameters<InstanceType<typeof Base>['issue']>[0]): Promise<string> {
      this.#use = options.use;
      return super.issue(options);
    }

    override async payload(): Promise<UnknownObject> {
      const payload = await super.payload();
      const oidc = this.ctx?.oidc;
      if (this.#use !== 'idtoken' || oidc?.params?.grant_type !== 'authorization_code') return payload;
      const approved = (oidc.entities.AuthorizationCode as { rar?: unknown[] } | undefined)?.rar;
      return approved?.length ? { ...payload, authorization_details: approved } : payload;
    }
  }
  // The class keeps the name `IdToken`: oidc-provider looks up `ttl.IdToken` by the class name.
  Object.defineProperty(provider, 'IdToken', { value: IdToken, enumerable: true, configurable: true });
}
