import { performance } from 'node:perf_hooks';
import { TestBrowser } from '../../packages/idp/src/testing/test-browser.ts';
import { TEST_REDIRECT_URI } from '../../packages/idp/src/testing/test-provider.ts';
import {
  expectCallback,
  expectPage,
  submitPassword,
} from '../../packages/idp/src/testing/test-relying-party.ts';

/** The application the load comes from: a confidential client registered in the store. */
export interface BenchClient {
  clientId: string;
  secret: string;
}

export interface LoadResult {
  perSecond: number;
  p50: number;
  p99: number;
  failures: number;
}

/** One signed-in browser of the bench account, whose session answers `prompt=none`. */
export async function signIn(
  origin: string,
  client: BenchClient,
  account: { username: string; password: string },
  extra: Record<string, string> = {},
): Promise<{ browser: TestBrowser; code: string }> {
  const browser = new TestBrowser(origin);
  const start = await browser.navigate(authorizeUrl(origin, client, extra));
  // Stepup shows its login page; the bare provider signs the account in without one.
  const callback =
    'left' in start
      ? start.left
      : expectCallback(
          await submitPassword(browser, expectPage(start).html, account.username, account.password),
        );
  return { browser, code: codeFrom(callback) };
}

export function authorizeUrl(
  origin: string,
  client: BenchClient,
  extra: Record<string, string> = {},
): string {
  const query = new URLSearchParams({
    client_id: client.clientId,
    response_type: 'code',
    scope: 'openid',
    redirect_uri: TEST_REDIRECT_URI,
    state: 'bench-state',
    nonce: 'bench-nonce',
    ...extra,
  });
  return `${origin}/authorize?${query}`;
}

function codeFrom(callback: URL): string {
  const code = callback.searchParams.get('code');
  if (!code) throw new Error(`no code in the callback: ${callback.search}`);
  return code;
}

/** POSTs to the token endpoint with HTTP Basic client authentication; returns the JSON answer. */
export async function tokenRequest(
  origin: string,
  client: BenchClient,
  form: Record<string, string>,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${origin}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${client.clientId}:${client.secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams(form).toString(),
  });
  const body = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new TokenEndpointError(response.status, body);
  return body;
}

/** A refused token request, with the status and OAuth `error` a report can group failures by. */
export class TokenEndpointError extends Error {
  readonly status: number;
  readonly error: string;

  constructor(status: number, body: Record<string, unknown>) {
    super(`token endpoint ${status}: ${JSON.stringify(body)}`);
    this.status = status;
    this.error = typeof body.error === 'string' ? body.error : 'no error code';
  }
}

export function redeemCode(origin: string, client: BenchClient, code: string) {
  return tokenRequest(origin, client, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: TEST_REDIRECT_URI,
  });
}

/** Silent authentication: authorize with `prompt=none` in a signed-in browser → code → token endpoint. */
export async function silentFlow(origin: string, client: BenchClient, browser: TestBrowser): Promise<void> {
  const answer = await browser.request(authorizeUrl(origin, client, { prompt: 'none' }));
  const location = answer.headers.get('location');
  if (!location) throw new Error(`authorize answered ${answer.status} without a redirect`);
  const tokens = await redeemCode(origin, client, codeFrom(new URL(location)));
  if (typeof tokens.id_token !== 'string') throw new Error('no ID token');
}

/**
 * Runs `workers` loops of `step` side by side for `seconds`; each loop runs its steps one after the
 * other. Returns completed steps per second and the latency percentiles of the completed steps.
 */
export async function runLoad(workers: Array<() => Promise<void>>, seconds: number): Promise<LoadResult> {
  const latencies: number[] = [];
  let failures = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    workers.map(async (step) => {
      while (performance.now() < deadline) {
        const begin = performance.now();
        try {
          await step();
          latencies.push(performance.now() - begin);
        } catch {
          failures += 1;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return { perSecond: latencies.length / elapsed, p50: at(0.5), p99: at(0.99), failures };
}
