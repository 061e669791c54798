import { PROVIDER_ROUTES } from '../oidc/provider-routes.ts';

/** The token endpoint's raw answer: status, `Retry-After` (null when absent) and the JSON body. */
export interface TokenEndpointAnswer {
  status: number;
  retryAfter: string | null;
  body: Record<string, unknown>;
}

/**
 * Posts a form to the provider's token endpoint with `client_secret_post` credentials, without
 * openid-client, so a test sees the raw answer to refused, replayed and concurrent requests.
 */
export async function postTokenRequest(
  issuer: string,
  client: { client_id: string; client_secret: string },
  body: Record<string, string>,
): Promise<TokenEndpointAnswer> {
  const response = await fetch(new URL(PROVIDER_ROUTES.token, issuer), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...client, ...body }),
  });
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: (await response.json()) as Record<string, unknown>,
  };
}
