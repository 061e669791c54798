import { StepupRpError } from '../errors.ts';

/**
 * The provider's `jwks_uri`, from its OpenID Connect discovery document (OIDC Discovery 4). The
 * document's `issuer` must equal `issuer` exactly (4.3), and the URI must be https unless
 * `allowInsecureRequests` was given.
 */
export async function discoverJwksUri(
  issuer: string,
  options: { fetch: typeof fetch; allowInsecureRequests: boolean; timeout: number },
): Promise<URL> {
  const location = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  let metadata: unknown;
  try {
    const response = await options.fetch(location, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(options.timeout),
      redirect: 'error',
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    metadata = await response.json();
  } catch (cause) {
    throw new StepupRpError('discovery_failed', 'The provider metadata could not be loaded.', {
      detail: `${location}: ${cause instanceof Error ? cause.message : String(cause)}`,
      cause,
    });
  }
  const { issuer: advertised, jwks_uri: jwksUri } = (metadata ?? {}) as {
    issuer?: unknown;
    jwks_uri?: unknown;
  };
  if (advertised !== issuer) {
    throw new StepupRpError('discovery_failed', 'The provider metadata names another issuer.', {
      detail: `${location} says issuer ${JSON.stringify(advertised)}, expected ${issuer}`,
    });
  }
  const url = typeof jwksUri === 'string' ? URL.parse(jwksUri) : null;
  if (
    url === null ||
    !(url.protocol === 'https:' || (url.protocol === 'http:' && options.allowInsecureRequests))
  ) {
    throw new StepupRpError('discovery_failed', 'The provider metadata has no usable jwks_uri.', {
      detail: `jwks_uri ${JSON.stringify(jwksUri)}`,
    });
  }
  return url;
}
