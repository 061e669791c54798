import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMemorySessionStore } from '../session/session-store.ts';
import { checkRpOptions, type StepupRpOptions } from './rp-options.ts';

const valid: StepupRpOptions = {
  issuer: 'https://idp.example',
  clientId: 'salary',
  clientSecret: 'salary-client-secret-0123456789abcdef',
  baseUrl: 'https://salary.example',
  sessionSecret: 'a session secret of at least thirty-two bytes',
};

test('valid options get their defaults, safe ones', () => {
  const checked = checkRpOptions(valid);
  assert.equal(checked.idTokenSigningAlg, 'RS256');
  assert.equal(checked.clockSkew, 30);
  assert.equal(checked.secure, true);
  assert.equal(checked.redirectUri, 'https://salary.example/auth/callback');
  assert.equal(checked.tokenEndpointAuthMethod, 'client_secret_basic');
  assert.equal(checked.allowInsecureRequests, false);
  assert.deepEqual(checked.trustedAudiences, []);
  assert.equal(checkRpOptions({ ...valid, baseUrl: 'http://localhost:3000' }).secure, false);
});

const refused: [string, Partial<StepupRpOptions> | Record<string, unknown>, RegExp][] = [
  ['an http issuer without allowInsecureRequests', { issuer: 'http://idp.example' }, /issuer must be https/],
  ['alg none', { idTokenSigningAlg: 'none' }, /never none/],
  [
    'HS256 with a short client secret',
    { idTokenSigningAlg: 'HS256', clientSecret: 'short' },
    /HS256 needs a clientSecret of at least 32 bytes/,
  ],
  ['HS256 without a client secret', { idTokenSigningAlg: 'HS256', clientSecret: undefined }, /HS256/],
  ['a short session secret', { sessionSecret: 'too short' }, /sessionSecret must be at least 32 bytes/],
  ['a base URL with a path', { baseUrl: 'https://salary.example/app' }, /baseUrl must be an origin/],
  ['plain http off localhost', { baseUrl: 'http://salary.example' }, /baseUrl must be https/],
  ['a scope without openid', { scope: 'profile' }, /scope must include openid/],
  [
    'a reserved authorization parameter',
    { authorizationParams: { acr_values: 'x' } },
    /authorizationParams.acr_values is set by @stepup\/rp/,
  ],
  ['a skew of an hour', { clockSkew: 3600 }, /clockSkew must be an integer from 0 to 300/],
  [
    'a policy acr the ladder does not rank',
    { policies: { x: { acr: ['urn:unknown'] } } },
    /policies.x: acr "urn:unknown" is not on the acr ladder/,
  ],
  ['a policy asking nothing', { policies: { x: {} } }, /asks for nothing/],
  ['a policy with a typo', { policies: { x: { amr: ['mfa'], maxage: 5 } } }, /unknown option maxage/],
  ['a negative max age', { policies: { x: { maxAge: -1 } } }, /maxAge must be a non-negative integer/],
  [
    'a route that is not a path',
    { routes: { callback: 'callback' } },
    /routes.callback must be an absolute path/,
  ],
];

for (const [name, override, message] of refused) {
  test(`refuses ${name} with a TypeError naming the setting`, () => {
    assert.throws(
      () => checkRpOptions({ ...valid, ...override } as StepupRpOptions),
      (error: unknown) => {
        assert.ok(error instanceof TypeError);
        assert.match(error.message, message);
        return true;
      },
    );
  });
}

test('FAPI options: private_key_jwt, request objects and DPoP are checked at start-up', async () => {
  const { generateKeyPair } = await import('jose');
  const es = await generateKeyPair('ES256');
  const ps = await generateKeyPair('PS256');
  const keyed = { ...valid, clientSecret: undefined };
  const checked = checkRpOptions({
    ...keyed,
    clientAuth: { method: 'private_key_jwt', key: es.privateKey, kid: 'k1' },
    requestObject: { key: ps.privateKey },
    dpop: {},
    sessionStore: createMemorySessionStore(),
  });
  assert.equal(checked.tokenEndpointAuthMethod, 'private_key_jwt');
  assert.equal(checked.clientAuth?.alg, 'ES256');
  assert.equal(checked.requestObject?.alg, 'PS256');
  assert.deepEqual(checked.dpop, { alg: 'ES256' });

  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['dpop without a session store', { ...keyed, dpop: {} }, /dpop needs a sessionStore/],
    [
      'dpop with an unknown alg',
      { ...keyed, dpop: { alg: 'HS256' }, sessionStore: createMemorySessionStore() },
      /dpop\.alg must be/,
    ],
    [
      'clientAuth with a client secret too',
      { ...valid, clientAuth: { method: 'private_key_jwt', key: es.privateKey } },
      /clientAuth replaces clientSecret/,
    ],
    [
      'clientAuth with a public key',
      { ...keyed, clientAuth: { method: 'private_key_jwt', key: es.publicKey } },
      /clientAuth\.key must be a private CryptoKey/,
    ],
    [
      'clientAuth with another method',
      { ...keyed, clientAuth: { method: 'client_secret_jwt', key: es.privateKey } },
      /clientAuth\.method must be private_key_jwt/,
    ],
    [
      'an alg that does not fit the key',
      { ...keyed, requestObject: { key: es.privateKey, alg: 'PS256' } },
      /requestObject\.alg must match the key/,
    ],
    [
      'private_key_jwt without a key',
      { ...keyed, tokenEndpointAuthMethod: 'private_key_jwt' },
      /private_key_jwt is set with clientAuth/,
    ],
    [
      'request as an authorization parameter',
      { ...valid, authorizationParams: { request: 'x' } },
      /authorizationParams\.request is set by @stepup\/rp itself/,
    ],
  ];
  for (const [name, options, message] of cases) {
    assert.throws(() => checkRpOptions(options as unknown as StepupRpOptions), message, name);
  }
});
