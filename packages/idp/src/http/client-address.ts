import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';
import type { TrustProxyOption } from './trusted-proxies.ts';

/**
 * The client address of a request as Fastify works it out from the same `trustProxy` option
 * (`request.ip`), with the same library (proxy-addr): the nearest `X-Forwarded-For` entry a trusted
 * proxy wrote, or the socket's peer when no proxy is trusted. For the requests that oidc-provider
 * serves without Fastify (provider-front.ts).
 */
export function clientAddressOf(trustProxy: TrustProxyOption): (request: IncomingMessage) => string {
  if (trustProxy === false) return (request) => request.socket.remoteAddress ?? '';
  const trust =
    typeof trustProxy === 'function'
      ? trustProxy
      : trustProxy === true
        ? () => true
        : proxyAddr.compile(trustProxy);
  return (request) => proxyAddr(request, trust);
}
