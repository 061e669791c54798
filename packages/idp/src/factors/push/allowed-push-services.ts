/**
 * True when a Web Push endpoint's host is one of `push.webPush.allowedHosts`, or under a listed
 * `.domain`. A device chooses its endpoint; the provider posts only to push services it was told of.
 */
export function isAllowedPushService(endpoint: string, allowedHosts: readonly string[]): boolean {
  const host = new URL(endpoint).hostname;
  return allowedHosts.some((allowed) =>
    allowed.startsWith('.') ? host.endsWith(allowed) : host === allowed,
  );
}
