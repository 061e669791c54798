import type { ClientMetadata } from 'oidc-provider';

/** The account page's own client id; reserved, so no registered client can take it. */
export const ACCOUNT_CLIENT_ID = 'stepup-account';

/** Where the provider sends the person back after a sign-in or step-up started by the account page. */
export function accountCallbackUrl(issuer: string): string {
  return `${issuer}/account/callback`;
}

/**
 * The account page is an OpenID client of this very provider, so signing in and stepping up for it
 * run the same login interaction, factors, throttles, Actions and step-up check as any application.
 * It never redeems its codes: what it needs, the session's recorded proofs, is already on the
 * provider's side once the person is sent back; it deletes the code instead. A public client (no
 * secret to keep), so oidc-provider requires PKCE of it.
 */
export function accountClientMetadata(issuer: string): ClientMetadata {
  return {
    client_id: ACCOUNT_CLIENT_ID,
    client_name: 'Your account',
    redirect_uris: [accountCallbackUrl(issuer)],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'none',
  };
}
