import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ACR_MULTI_FACTOR } from '@stepup/core';
import { generateKeyPair, jwtVerify } from 'jose';
import { createStepupRp, type StepupRp } from '../create-stepup-rp.ts';
import type { StepupRpError } from '../errors.ts';
import { type ForgingProvider, startForgingProvider } from '../testing/forging-provider.ts';

// Where the step-up parameters travel: in the URL by default; inside a signed request object
// (RFC 9101) with a requestObject key; pushed (RFC 9126) when the provider advertises PAR. The
// forging provider has no PAR endpoint: a fetch wrapper adds one to its metadata where needed.

const APP = 'http://127.0.0.1:4000';
const base = {
  clientId: 'salary',
  clientSecret: 'salary-client-secret-0123456789abcdef',
  baseUrl: APP,
  sessionSecret: 'a session secret of at least thirty-two bytes',
  policies: { salary: { acr: [ACR_MULTI_FACTOR], maxAge: 300 } },
  allowInsecureRequests: true,
};

describe('authorization request: URL, request object, PAR', () => {
  let provider: ForgingProvider;
  before(async () => {
    provider = await startForgingProvider();
  });
  after(() => provider.close());

  async function redirectOf(rp: StepupRp): Promise<URL> {
    const response = (await rp.handle(new Request(`${APP}/auth/login?policy=salary`))) as Response;
    assert.equal(response.status, 302);
    return new URL(response.headers.get('location') ?? '');
  }
  /** The provider's metadata with `extra` added, and the PAR endpoint answered by `par`. */
  const withMetadata =
    (extra: Record<string, unknown>, par?: (body: URLSearchParams) => Response): typeof fetch =>
    async (input, init) => {
      const url = new URL(String(input));
      if (url.pathname === '/par' && par) return par(new URLSearchParams(String(init?.body)));
      const response = await fetch(input, init);
      if (!url.pathname.endsWith('/.well-known/openid-configuration')) return response;
      return Response.json({ ...((await response.json()) as object), ...extra });
    };

  test('no PAR, no request object: the step-up parameters are in the URL (the control)', async () => {
    const rp = await createStepupRp({ ...base, issuer: provider.issuer });
    const url = await redirectOf(rp);
    assert.equal(url.searchParams.get('acr_values'), ACR_MULTI_FACTOR);
    assert.equal(url.searchParams.get('max_age'), '300');
  });

  test('a request object by value: the URL holds client_id and a signed request with the parameters', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const rp = await createStepupRp({
      ...base,
      issuer: provider.issuer,
      requestObject: { key: privateKey, kid: 'request-1' },
    });
    const url = await redirectOf(rp);
    assert.deepEqual([...url.searchParams.keys()].sort(), ['client_id', 'request']);
    const { payload, protectedHeader } = await jwtVerify(url.searchParams.get('request') ?? '', publicKey, {
      issuer: 'salary',
      audience: provider.issuer,
    });
    assert.equal(protectedHeader.kid, 'request-1');
    assert.equal(protectedHeader.typ, 'oauth-authz-req+jwt');
    assert.equal(payload.acr_values, ACR_MULTI_FACTOR);
    assert.equal(payload.max_age, 300);
    assert.equal(payload.code_challenge_method, 'S256');
  });

  test('PAR advertised: pushed with the client authentication, the URL holds client_id and request_uri', async () => {
    const pushed: URLSearchParams[] = [];
    const rp = await createStepupRp({
      ...base,
      issuer: provider.issuer,
      fetch: withMetadata({ pushed_authorization_request_endpoint: `${provider.issuer}/par` }, (body) => {
        pushed.push(body);
        return Response.json(
          { request_uri: 'urn:ietf:params:oauth:request_uri:abc', expires_in: 60 },
          { status: 201 },
        );
      }),
    });
    const url = await redirectOf(rp);
    assert.deepEqual(Object.fromEntries(url.searchParams), {
      client_id: 'salary',
      request_uri: 'urn:ietf:params:oauth:request_uri:abc',
    });
    assert.equal(pushed.length, 1);
    assert.equal(pushed[0]?.get('acr_values'), ACR_MULTI_FACTOR);
    assert.equal(pushed[0]?.get('max_age'), '300');
  });

  test('a pushed request the provider refuses: an error page, authorization_request_failed, no transaction', async () => {
    const errors: StepupRpError[] = [];
    const rp = await createStepupRp({
      ...base,
      issuer: provider.issuer,
      onError: (error) => errors.push(error),
      fetch: withMetadata({ pushed_authorization_request_endpoint: `${provider.issuer}/par` }, () =>
        Response.json({ error: 'invalid_request_object' }, { status: 400 }),
      ),
    });
    const response = (await rp.handle(new Request(`${APP}/auth/login?policy=salary`))) as Response;
    assert.equal(response.status, 502);
    assert.equal(response.headers.get('set-cookie'), null);
    assert.equal(errors[0]?.code, 'authorization_request_failed');
    assert.match(errors[0]?.detail ?? '', /invalid_request_object/);
  });

  test('a provider that requires PAR without a PAR endpoint fails at start-up', async () => {
    await assert.rejects(
      createStepupRp({
        ...base,
        issuer: provider.issuer,
        fetch: withMetadata({ require_pushed_authorization_requests: true }),
      }),
      (error: StepupRpError) => error.code === 'discovery_failed',
    );
  });
});
