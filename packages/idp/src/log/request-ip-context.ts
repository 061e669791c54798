import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The client IP of the HTTP request being served (after `trustProxy`), for what is recorded on its
 * behalf: an audit event raised deep in a factor or in oidc-provider carries it without every caller
 * passing it along. Outside a request (a timer expiring a push request), there is none.
 */
const requestIps = new AsyncLocalStorage<string>();

/** Runs `work` (and everything it awaits or schedules) as serving a request from `ip`. */
export function runWithRequestIp<T>(ip: string, work: () => T): T {
  return requestIps.run(ip, work);
}

/** The client IP of the request being served, or undefined outside a request. */
export function currentRequestIp(): string | undefined {
  return requestIps.getStore();
}
