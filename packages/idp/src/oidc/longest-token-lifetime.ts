import type { StepupConfig } from '../config/config-schema.ts';
import type { ResourceServersRepository } from '../store/resource-servers.ts';

/**
 * The longest lifetime of a token the provider signs (ID tokens, access tokens for the userinfo
 * endpoint and for every registered API): a rotated-out key stays published this long, so every
 * token it signed expires before its public key leaves the JWKS.
 */
export async function longestTokenLifetime(
  config: StepupConfig,
  resourceServers: Pick<ResourceServersRepository, 'list'>,
): Promise<number> {
  const apiLifetimes = (await resourceServers.list()).map((api) => api.accessTokenTtl);
  return Math.max(config.ttl.idToken, config.ttl.accessToken, ...apiLifetimes);
}
