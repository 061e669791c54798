import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ACR_MULTI_FACTOR } from '@stepup/core';
import { PROVIDER_ROUTES } from '../oidc/provider-routes.ts';
import { type RawHttpAnswer, sendRawHttpRequest } from '../testing/raw-http-request.ts';
import { formAction, hiddenField } from '../testing/test-browser.ts';
import { startTestProvider, TEST_REDIRECT_URI, type TestProvider } from '../testing/test-provider.ts';

const PASSWORD = 'correct horse battery';
const CLIENT_SECRET = 'origin-client-secret-0123456789abcdef';
const POST_LOGOUT_URI = 'http://127.0.0.1:9/signed-out';
const EVIL = 'evil.example';

/** What a client (or a careless proxy passing its headers on) says about where the request went. */
const SPOOFS: { name: string; headers: Record<string, string>; absoluteTarget?: boolean }[] = [
  { name: 'Host', headers: { host: EVIL } },
  { name: 'X-Forwarded-Host', headers: { 'x-forwarded-host': EVIL } },
  { name: 'X-Forwarded-Proto: http', headers: { 'x-forwarded-proto': 'http' } },
  { name: 'X-Forwarded-Proto: https', headers: { 'x-forwarded-proto': 'https' } },
  {
    name: 'all of them',
    headers: { host: EVIL, 'x-forwarded-host': EVIL, 'x-forwarded-proto': 'http', forwarded: `host=${EVIL}` },
  },
  // RFC 9112 3.2.2: a server must accept the absolute form, whose authority replaces Host.
  { name: 'an absolute-form request target', headers: {}, absoluteTarget: true },
];

/** One response of the walk, named for the failure message. */
interface Seen {
  step: string;
  answer: RawHttpAnswer;
}

/**
 * A browser that goes through a login, the account page, the dashboard, the management API's
 * document and a logout, sending `spoof` with every request, and keeps every answer. The provider
 * trusts the loopback proxy, so the forwarded headers come from a proxy it believes.
 */
async function walkWithSpoofedOrigin(idp: TestProvider, spoof: (typeof SPOOFS)[number]): Promise<Seen[]> {
  const issuer = new URL(idp.issuer);
  const port = Number(issuer.port);
  const jar = new Map<string, string>();
  const seen: Seen[] = [];
  const send = async (step: string, target: string, form?: Record<string, string>) => {
    const path = new URL(target, issuer);
    assert.equal(path.origin, issuer.origin, `${step}: the walk stays on the issuer (${target})`);
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
    const answer = await sendRawHttpRequest(port, {
      target: spoof.absoluteTarget
        ? `http://${EVIL}${path.pathname}${path.search}`
        : `${path.pathname}${path.search}`,
      headers: { ...spoof.headers, ...(cookie ? { cookie } : {}) },
      ...(form ? { form } : {}),
    });
    for (const line of answer.setCookies) {
      const [pair = ''] = line.split(';');
      const [name = '', value = ''] = pair.split(/=(.*)/s);
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
    seen.push({ step, answer });
    return answer;
  };
  /** Follows redirects while they stay on the issuer; returns the last answer and where it points. */
  const follow = async (step: string, first: RawHttpAnswer) => {
    let answer = first;
    for (
      let hop = 0;
      answer.location && new URL(answer.location, issuer).origin === issuer.origin;
      hop += 1
    ) {
      assert.ok(hop < 10, `${step}: too many redirects`);
      answer = await send(`${step} (redirect ${hop + 1})`, answer.location);
    }
    return answer;
  };

  const accountSignIn = await send('account page, signed out', '/account');
  assert.equal(accountSignIn.status, 303, 'the account page sends a signed-out person to sign in');
  assert.equal((await follow('account sign-in', accountSignIn)).status, 200, 'its login page');

  const discovery = await send('discovery', '/.well-known/openid-configuration');
  assert.equal(discovery.status, 200);
  const metadata = JSON.parse(discovery.body) as Record<string, unknown>;
  assert.equal(metadata.issuer, idp.issuer);
  assert.equal((await send('jwks_uri', String(metadata.jwks_uri))).status, 200);
  // Its WWW-Authenticate challenge names the realm.
  assert.equal((await send('userinfo without a token', String(metadata.userinfo_endpoint))).status, 401);

  const verifier = randomBytes(32).toString('base64url');
  const authorization = new URL(String(metadata.authorization_endpoint));
  authorization.search = new URLSearchParams({
    client_id: 'app',
    response_type: 'code',
    scope: 'openid',
    redirect_uri: TEST_REDIRECT_URI,
    state: 'origin-state',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  const loginPage = await follow('authorization', await send('authorization', authorization.href));
  assert.equal(loginPage.status, 200, 'the login page');
  const signedIn = await follow(
    'password',
    await send('password', formAction(loginPage.body, '/password'), {
      csrf: hiddenField(loginPage.body, 'csrf'),
      username: 'alice',
      password: PASSWORD,
    }),
  );
  const callback = new URL(signedIn.location ?? '');
  assert.equal(`${callback.origin}${callback.pathname}`, TEST_REDIRECT_URI);
  assert.ok(callback.searchParams.get('code'), 'the login ends with a code');
  // RFC 9207: the authorization response names the issuer.
  assert.equal(callback.searchParams.get('iss'), idp.issuer);

  // A step-up with no second factor yet: the push enrollment page, with its link and QR code.
  authorization.searchParams.set('acr_values', ACR_MULTI_FACTOR);
  const enrollment = await follow('step-up', await send('step-up', authorization.href));
  assert.equal(enrollment.status, 200, 'the enrollment page');
  const link = /<a href="([^"]*\/authenticator#enroll=[\w-]+)">/.exec(enrollment.body)?.[1];
  assert.equal(link?.startsWith(`${idp.issuer}/authenticator#enroll=`), true, `enrollment link ${link}`);

  assert.equal((await send('account page, signed in', '/account')).status, 200);
  assert.equal((await send('dashboard', '/dashboard/')).status, 200);
  assert.equal((await send('management API document', '/api/v1/openapi.json')).status, 200);
  assert.equal((await send('management API challenge', '/api/v1/users')).status, 401);
  assert.equal((await send('authenticator app', '/authenticator')).status, 200);
  assert.equal((await send('authenticator manifest', '/authenticator/manifest.webmanifest')).status, 200);

  const logout = new URL(PROVIDER_ROUTES.end_session, issuer);
  logout.search = new URLSearchParams({
    client_id: 'app',
    post_logout_redirect_uri: POST_LOGOUT_URI,
  }).toString();
  const confirm = await follow('end_session', await send('end_session', logout.href));
  assert.equal(confirm.status, 200, 'the logout confirmation page');
  const signedOut = await send('end_session confirm', formAction(confirm.body, '/confirm'), {
    xsrf: hiddenField(confirm.body, 'xsrf'),
    logout: 'yes',
  });
  assert.equal(new URL(signedOut.location ?? '').href, POST_LOGOUT_URI);
  return seen;
}

/** Absolute URLs an answer carries: every http(s) URL in its headers (Location included) and body. */
function absoluteUrlsOf(answer: RawHttpAnswer): string[] {
  return `${answer.headerText}\n${answer.body}`.match(/https?:\/\/[^\s"'<>\\&,]+/g) ?? [];
}

/** Where the provider's answers may point: itself, and the client's registered URIs. */
function isAllowedUrl(url: string, issuer: string): boolean {
  return (
    url.startsWith(`${issuer}/`) ||
    url === issuer ||
    url.startsWith(TEST_REDIRECT_URI) ||
    url.startsWith(POST_LOGOUT_URI) ||
    // Namespaces, schemas and specifications named in documents, never fetched by the browser.
    /^https?:\/\/(schemas\.openid\.net|www\.w3\.org|spec\.openapis\.org|json-schema\.org)\//.test(url)
  );
}

for (const scheme of ['https', 'http'] as const) {
  describe(`every absolute URL and cookie comes from the ${scheme} issuer, not the request`, () => {
    let idp: TestProvider;

    before(async () => {
      idp = await startTestProvider({ issuerScheme: scheme, trustProxy: ['127.0.0.0/8'] });
      await idp.addUser('alice', PASSWORD);
      await idp.addClient({
        client_id: 'app',
        client_secret: CLIENT_SECRET,
        post_logout_redirect_uris: [POST_LOGOUT_URI],
      });
    });
    after(() => idp.close());

    for (const spoof of SPOOFS) {
      test(`with ${spoof.name}`, async () => {
        const seen = await walkWithSpoofedOrigin(idp, spoof);
        let cookies = 0;
        for (const { step, answer } of seen) {
          assert.ok(!`${answer.headerText}\n${answer.body}`.includes(EVIL), `${step} names ${EVIL}`);
          for (const url of absoluteUrlsOf(answer)) {
            assert.ok(isAllowedUrl(url, idp.issuer), `${step} points to ${url}`);
          }
          for (const line of answer.setCookies) {
            cookies += 1;
            const secure = /;\s*secure(;|$)/i.test(line);
            assert.equal(secure, scheme === 'https', `${step} sets ${line.split('=')[0]} Secure=${secure}`);
          }
        }
        assert.ok(cookies >= 4, `the walk saw the provider's cookies (${cookies})`);
      });
    }
  });
}
