import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeTimeAgo, summarizeAuthentication } from './authentication-summary.ts';

const MFA = 'http://schemas.openid.net/pape/policies/2007/06/multi-factor';
const NOW = 1_800_000_000;

describe('summarizeAuthentication', () => {
  test('password and push: two-step verification, mfa flagged and not listed as a method', () => {
    const summary = summarizeAuthentication(
      { acr: MFA, amr: ['mfa', 'pwd', 'swk'], auth_time: NOW - 120 },
      { now: NOW, mfaAcr: MFA },
    );
    assert.equal(summary.level.title, 'Two-step verification');
    assert.equal(summary.multiFactor, true);
    assert.deepEqual(
      summary.methods.map((method) => [method.amr, method.short]),
      [
        ['pwd', 'password'],
        ['swk', 'phone app or passkey'],
      ],
    );
    assert.deepEqual(summary.when, {
      iso: new Date((NOW - 120) * 1000).toISOString(),
      relative: '2 minutes ago',
      utc: `${new Date((NOW - 120) * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC`,
    });
    assert.equal(summary.reached, undefined, 'the token did not say when the level was reached');
  });

  test('acr_time says when the level was reached: the second step, after the sign-in', () => {
    const summary = summarizeAuthentication(
      { acr: MFA, amr: ['mfa', 'pwd', 'swk'], auth_time: NOW - 60, acr_time: NOW - 10 },
      { now: NOW, mfaAcr: MFA },
    );
    assert.equal(summary.when?.relative, '1 minute ago');
    assert.deepEqual(summary.reached, {
      iso: new Date((NOW - 10) * 1000).toISOString(),
      relative: '10 seconds ago',
      utc: `${new Date((NOW - 10) * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC`,
    });
  });

  test('a provider-specific acr that the app asks for reads as two-step verification; others as the provider’s own', () => {
    const okta = 'urn:okta:loa:2fa:any';
    assert.equal(
      summarizeAuthentication({ acr: okta }, { now: NOW, mfaAcr: okta }).level.title,
      'Two-step verification',
    );
    assert.equal(
      summarizeAuthentication({ acr: 'urn:other:gold' }, { now: NOW, mfaAcr: MFA }).level.title,
      'Your sign-in service’s own level',
    );
  });

  test('missing claims are said to be missing; "nomfa" is not mfa', () => {
    const summary = summarizeAuthentication({ amr: ['nomfa'] }, { now: NOW, mfaAcr: MFA });
    assert.equal(summary.level.title, 'Not stated');
    assert.equal(summary.multiFactor, false);
    assert.equal(summary.when, undefined);
    assert.equal(summary.methods[0]?.label, 'A method this app has no words for');
  });
});

describe('describeTimeAgo', () => {
  const cases: [number, string][] = [
    [0, 'just now'],
    [30, '30 seconds ago'],
    [60, '1 minute ago'],
    [3 * 3600, '3 hours ago'],
    [40 * 3600, '2 days ago'],
  ];
  for (const [seconds, words] of cases) {
    test(`${seconds} s → ${words}`, () => assert.equal(describeTimeAgo(NOW - seconds, NOW), words));
  }
});
