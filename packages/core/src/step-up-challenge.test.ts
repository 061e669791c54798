import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type BearerChallenge,
  formatBearerChallenge,
  INSUFFICIENT_USER_AUTHENTICATION,
  parseBearerChallenges,
} from './step-up-challenge.ts';

const ACR = 'http://schemas.openid.net/pape/policies/2007/06/multi-factor';

// Header values and what they hold; the RFC section each comes from, where it has one.
const parseVectors: { name: string; header: string; expected: BearerChallenge[] }[] = [
  {
    name: 'RFC 9470 3, figure 2: acr_values',
    header:
      'Bearer error="insufficient_user_authentication", error_description="A different authentication level is required", acr_values="myACR"',
    expected: [
      {
        error: 'insufficient_user_authentication',
        error_description: 'A different authentication level is required',
        acr_values: 'myACR',
      },
    ],
  },
  {
    name: 'RFC 9470 3, figure 3: max_age as a token',
    header:
      'Bearer error="insufficient_user_authentication", error_description="More recent authentication is required", max_age="5"',
    expected: [
      {
        error: 'insufficient_user_authentication',
        error_description: 'More recent authentication is required',
        max_age: 5,
      },
    ],
  },
  {
    name: 'RFC 6750 3: realm only',
    header: 'Bearer realm="example"',
    expected: [{ realm: 'example' }],
  },
  {
    name: 'RFC 6750 3: invalid_token',
    header: 'Bearer realm="example", error="invalid_token", error_description="The access token expired"',
    expected: [{ realm: 'example', error: 'invalid_token', error_description: 'The access token expired' }],
  },
  { name: 'a bare scheme', header: 'Bearer', expected: [{}] },
  {
    name: 'RFC 9110 11.6.1 example: Bearer among other schemes with quoted pairs',
    header:
      'Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple", Bearer scope="a b"',
    expected: [{ scope: 'a b' }],
  },
  {
    name: 'a token68 scheme before Bearer',
    header: 'Negotiate a87421000492aa874209af8bc028==, bearer ERROR=invalid_token',
    expected: [{ error: 'invalid_token' }],
  },
  {
    name: 'two Bearer challenges (two headers joined by Headers)',
    header: 'Bearer realm="a", Bearer realm="b", max_age=0',
    expected: [{ realm: 'a' }, { realm: 'b', max_age: 0 }],
  },
  {
    name: 'a max_age that is not a non-negative integer is left out',
    header: 'Bearer max_age="-1", acr_values="x"',
    expected: [{ acr_values: 'x' }],
  },
  {
    name: 'a fractional max_age is left out',
    header: 'Bearer max_age=1.5',
    expected: [{}],
  },
  {
    name: 'unknown parameters, including __proto__, are not kept',
    header: 'Bearer __proto__="x", foo=bar',
    expected: [{}],
  },
  {
    name: 'a repeated parameter makes the header malformed',
    header: 'Bearer error="a", error="b"',
    expected: [],
  },
  { name: 'an unterminated quoted string is malformed', header: 'Bearer error="invalid_token', expected: [] },
  { name: 'a parameter before any scheme is malformed', header: 'error="x", Bearer', expected: [] },
  { name: 'only other schemes', header: 'Basic realm="x"', expected: [] },
  { name: 'empty', header: '', expected: [] },
];

for (const vector of parseVectors) {
  test(`parseBearerChallenges: ${vector.name}`, () => {
    assert.deepEqual(parseBearerChallenges(vector.header), vector.expected);
  });
}

test('formatBearerChallenge writes RFC 9470 challenges that parse back to the same parameters', () => {
  const challenge: BearerChallenge = {
    realm: 'payroll',
    error: INSUFFICIENT_USER_AUTHENTICATION,
    error_description: 'A stronger authentication is required',
    acr_values: `${ACR} urn:other`,
    max_age: 300,
  };
  const header = formatBearerChallenge(challenge);
  assert.equal(
    header,
    `Bearer realm="payroll", error="insufficient_user_authentication", error_description="A stronger authentication is required", acr_values="${ACR} urn:other", max_age=300`,
  );
  assert.deepEqual(parseBearerChallenges(header), [challenge]);
  assert.equal(formatBearerChallenge({}), 'Bearer');
  assert.equal(
    formatBearerChallenge({ error: 'insufficient_scope', scope: 'a b' }),
    'Bearer error="insufficient_scope", scope="a b"',
  );
});

test('formatBearerChallenge refuses values that would break the header with a TypeError', () => {
  for (const bad of [
    { error_description: 'say "hi"' },
    { error_description: 'back\\slash' },
    { realm: 'line\r\nSet-Cookie: x=y' },
    { max_age: -1 },
    { max_age: 1.5 },
    { max_age: Number.NaN },
  ]) {
    assert.throws(() => formatBearerChallenge(bad as BearerChallenge), TypeError, JSON.stringify(bad));
  }
});
