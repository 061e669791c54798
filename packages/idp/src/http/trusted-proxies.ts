import type Provider from 'oidc-provider';
import type { StepupConfig } from '../config/config-schema.ts';
import { currentRequestIp } from '../log/request-ip-context.ts';

export type TrustProxyOption = boolean | string[] | ((address: string, hop: number) => boolean);

/**
 * Fastify's `trustProxy` for the configured proxies. proxy-addr walks `X-Forwarded-For` from the
 * right, past the socket's peer and each trusted hop, and takes the first address no trusted proxy
 * vouches for: what the nearest proxy saw, never a value the client wrote on the left. Fastify 5 reads
 * a bare number as "trust no hop" (it cannot check the peer), so a hop count becomes the trust function
 * Express uses: the socket's peer and the next `hops - 1` entries are proxies.
 */
export function trustProxyOption(setting: StepupConfig['trustProxy']): TrustProxyOption {
  if (typeof setting !== 'number') return setting;
  const hops = setting;
  return (_address, hop) => hop < hops;
}

/**
 * Makes oidc-provider (Koa) see the client address worked out for the request it serves
 * (provider-front.ts, by Fastify's rules), so the Actions' `event.request.ip` and the provider's own
 * logs agree with the throttles and the audit log. Koa alone would take the left-most
 * `X-Forwarded-For` entry, which the client writes.
 */
export function useRequestClientAddress(provider: Provider): void {
  provider.use(async (ctx, next) => {
    const ip = currentRequestIp();
    if (ip !== undefined) ctx.request.ip = ip;
    await next();
  });
}
