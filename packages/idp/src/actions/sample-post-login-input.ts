import { ACR_MULTI_FACTOR } from '@stepup/core';
import type { PostLoginInput } from './post-login-event.ts';

/**
 * A plausible login for test runs of an Action (`stepup-idp actions test`, the admin API): a user with
 * a password and TOTP, signing in to a demo client that asks for MFA.
 */
export function samplePostLoginInput(now: number = Math.floor(Date.now() / 1000)): PostLoginInput {
  return {
    user: {
      id: '00000000-0000-4000-8000-000000000001',
      username: 'alice',
      email: 'alice@example.com',
      emailVerified: true,
      name: 'Alice Example',
      appMetadata: {},
      userMetadata: {},
      enrolledFactors: ['otp'],
      roles: [],
      createdAt: now - 30 * 24 * 3600,
    },
    client: { clientId: 'salary', name: 'Salary', metadata: {} },
    transaction: {
      acrValues: [ACR_MULTI_FACTOR],
      requestedScopes: ['openid', 'profile'],
      redirectUri: 'https://salary.example.com/callback',
      protocol: 'oidc-basic-profile',
      uiLocales: ['en'],
    },
    request: {
      ip: '203.0.113.7',
      userAgent: 'Mozilla/5.0 (sample)',
      hostname: 'login.example.com',
      query: {
        client_id: 'salary',
        response_type: 'code',
        scope: 'openid profile',
        redirect_uri: 'https://salary.example.com/callback',
        acr_values: ACR_MULTI_FACTOR,
      },
      geoip: { countryCode: 'NL', countryName: 'Netherlands', continentCode: 'EU' },
    },
    tenantId: 'login.example.com',
    resourceServer: null,
    session: null,
    authenticationMethods: [{ name: 'pwd', at: now }],
    loginsCount: 3,
  };
}
