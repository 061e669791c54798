import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { ADAPTERS, type AdapterApp, PRIVATE_PAGE, startAdapterApp } from '../testing/adapter-apps.ts';
import { type ForgingProvider, startForgingProvider } from '../testing/forging-provider.ts';

// The SDK builds redirect_uri, the post-logout URI and its cookies from `baseUrl`, never from the
// request: a forged Host or X-Forwarded-* header cannot send the provider's answer elsewhere.

const EVIL = 'evil.example';
const SPOOFED = {
  host: EVIL,
  'x-forwarded-host': EVIL,
  'x-forwarded-proto': 'https',
  forwarded: `host=${EVIL}`,
};

/** One GET with exactly these headers, `Host` included (fetch always writes Host from the URL). */
function getWithHeaders(url: string, headers: Record<string, string>) {
  const target = new URL(url);
  return new Promise<{ status: number; location: string; headerText: string }>((resolve, reject) => {
    const outgoing = request(
      { host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, headers },
      (incoming) => {
        incoming.resume();
        incoming.on('end', () =>
          resolve({
            status: incoming.statusCode ?? 0,
            location: incoming.headers.location ?? '',
            headerText: Object.values(incoming.headers).flat().join('\n'),
          }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end();
  });
}

for (const adapter of ADAPTERS) {
  describe(`the ${adapter} adapter ignores the request's Host and X-Forwarded-* headers`, () => {
    let provider: ForgingProvider;
    let app: AdapterApp;

    before(async () => {
      provider = await startForgingProvider();
      app = await startAdapterApp(adapter, provider);
    });
    after(async () => {
      await app.close();
      await provider.close();
    });

    for (const path of ['/auth/login?returnTo=/salary', PRIVATE_PAGE]) {
      test(`${path}: redirect_uri is the configured one`, async () => {
        const answer = await getWithHeaders(`${app.url}${path}`, SPOOFED);
        assert.equal(answer.status, 302);
        const authorize = new URL(answer.location);
        assert.equal(authorize.origin, new URL(provider.issuer).origin);
        assert.equal(authorize.searchParams.get('redirect_uri'), `${app.url}/auth/callback`);
        assert.ok(!answer.headerText.includes(EVIL), `the answer names ${EVIL}`);
      });
    }
  });
}
