import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildPostLoginEvent } from './post-login-event.ts';
import { samplePostLoginInput } from './sample-post-login-input.ts';
import { loginInput, MFA } from './testing/actions-fixture.ts';

describe('buildPostLoginEvent', () => {
  test('maps the login onto the Auth0 event shape', () => {
    const input = samplePostLoginInput(1_700_000_000);
    input.user.enrolledFactors = ['otp', 'push-notification'];
    input.user.appMetadata = { plan: 'gold' };
    const event = buildPostLoginEvent(input, { API_KEY: 'k' });
    assert.deepEqual(event, {
      user: {
        user_id: '00000000-0000-4000-8000-000000000001',
        username: 'alice',
        email: 'alice@example.com',
        email_verified: true,
        name: 'Alice Example',
        app_metadata: { plan: 'gold' },
        user_metadata: {},
        enrolledFactors: [{ type: 'otp' }, { type: 'push-notification' }],
        multifactor: ['google-authenticator', 'guardian'],
        created_at: '2023-10-15T22:13:20.000Z',
        identities: [
          {
            provider: 'auth0',
            connection: 'Username-Password-Authentication',
            user_id: '00000000-0000-4000-8000-000000000001',
            isSocial: false,
          },
        ],
      },
      client: { client_id: 'salary', name: 'Salary', metadata: {} },
      authorization: { roles: [] },
      transaction: {
        acr_values: MFA,
        acr_values_list: [MFA],
        requested_scopes: ['openid', 'profile'],
        redirect_uri: 'https://salary.example.com/callback',
        protocol: 'oidc-basic-profile',
        ui_locales: ['en'],
        locale: 'en',
      },
      request: {
        ip: '203.0.113.7',
        user_agent: 'Mozilla/5.0 (sample)',
        hostname: 'login.example.com',
        query: {
          client_id: 'salary',
          response_type: 'code',
          scope: 'openid profile',
          redirect_uri: 'https://salary.example.com/callback',
          acr_values: MFA,
        },
        geoip: { countryCode: 'NL', countryName: 'Netherlands', continentCode: 'EU' },
      },
      connection: {
        id: 'con_password',
        name: 'Username-Password-Authentication',
        strategy: 'auth0',
        metadata: {},
      },
      tenant: { id: 'login.example.com' },
      authentication: { methods: [{ name: 'pwd', timestamp: '2023-11-14T22:13:20.000Z' }] },
      stats: { logins_count: 3 },
      secrets: { API_KEY: 'k' },
    });
    // A copy: the builder never shares the caller's objects.
    assert.notEqual(event.user.app_metadata, input.user.appMetadata);
  });

  test('acr_values is one string, so === and .includes both work, and neither matches when absent', () => {
    const one = buildPostLoginEvent(loginInput('salary', MFA), {}).transaction;
    assert.equal(one.acr_values === MFA, true);
    assert.equal(one.acr_values.includes(MFA), true);
    assert.deepEqual(one.acr_values_list, [MFA]);

    const none = buildPostLoginEvent(loginInput('salary'), {});
    assert.equal(none.transaction.acr_values, '');
    assert.equal((none.transaction.acr_values as string) === MFA, false);
    assert.equal(none.transaction.acr_values.includes(MFA), false);
    assert.deepEqual(none.transaction.acr_values_list, []);
    assert.equal('acr_values' in none.request.query, false);

    const two = loginInput('salary');
    two.transaction.acrValues = [` ${MFA}\turn:stepup:acr:one-factor `];
    const both = buildPostLoginEvent(two, {}).transaction;
    assert.equal(both.acr_values, `${MFA} urn:stepup:acr:one-factor`);
    assert.deepEqual(both.acr_values_list, [MFA, 'urn:stepup:acr:one-factor']);
  });

  test('the substring pitfall of .includes, which acr_values_list avoids', () => {
    const input = loginInput('salary');
    input.transaction.acrValues = ['urn:acr:mfa-strong'];
    const { transaction } = buildPostLoginEvent(input, {});
    assert.equal(transaction.acr_values.includes('urn:acr:mfa'), true);
    assert.equal(transaction.acr_values_list.includes('urn:acr:mfa'), false);
  });

  test('resource_server and session appear when the login has them; organization never does', () => {
    const input = samplePostLoginInput(1_700_000_000);
    const without = buildPostLoginEvent(input, {});
    assert.equal('resource_server' in without, false);
    assert.equal('session' in without, false);
    assert.equal('organization' in without, false);
    input.resourceServer = 'https://api.example.com';
    input.session = { id: 'session-uid', authenticatedAt: 1_700_000_000 };
    const event = buildPostLoginEvent(input, {});
    assert.deepEqual(event.resource_server, { identifier: 'https://api.example.com' });
    assert.deepEqual(event.session, {
      id: 'session-uid',
      authenticated_at: '2023-11-14T22:13:20.000Z',
      device: { last_ip: '203.0.113.7', last_user_agent: 'Mozilla/5.0 (sample)' },
    });
  });

  test('omits redirect_uri and user_agent when the login has none (refresh)', () => {
    const input = samplePostLoginInput();
    input.transaction = {
      ...input.transaction,
      redirectUri: null,
      protocol: 'oauth2-refresh-token',
      uiLocales: [],
    };
    input.request = { ...input.request, userAgent: null };
    const event = buildPostLoginEvent(input, {});
    assert.equal('redirect_uri' in event.transaction, false);
    assert.equal('user_agent' in event.request, false);
    assert.equal(event.transaction.protocol, 'oauth2-refresh-token');
    assert.equal(event.transaction.locale, 'en');
  });
});
