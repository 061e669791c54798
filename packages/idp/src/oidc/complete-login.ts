import type { KoaContextWithOIDC } from 'oidc-provider';
import { changesMetadata, type LoginEffects } from '../actions/login-effects.ts';
import type { UserMetadataRepository } from '../store/user-metadata.ts';
import { applyAccessTokenScopes } from './apply-access-token-scopes.ts';
import type { CustomTokenClaims } from './custom-token-claims.ts';

/**
 * What completes a login for the post-login Actions, run by the step-up check when the session
 * satisfies the request and a code is about to be issued: the Actions' custom claims are bound to
 * the authorization's grant (or cleared there), their access token scope changes applied, and their
 * metadata changes written. A denied or
 * unfinished login never gets here, so it changes nothing.
 */
export function createLoginCompletion(deps: {
  customClaims: CustomTokenClaims;
  userMetadata: UserMetadataRepository;
}) {
  return async (ctx: KoaContextWithOIDC, accountId: string, effects: LoginEffects): Promise<void> => {
    await deps.customClaims.bindToGrant(ctx, effects);
    await applyAccessTokenScopes(ctx, effects.accessTokenScopes);
    if (changesMetadata(effects)) await deps.userMetadata.apply(accountId, effects);
  };
}
