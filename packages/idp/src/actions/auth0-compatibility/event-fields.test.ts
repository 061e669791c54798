import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CompatibilityProvider } from '../testing/auth0-compatibility-provider.ts';

/** Copies what the event says into the ID token, so a test reads what the Action saw. */
const ECHO_EVENT = `exports.onExecutePostLogin = async (event, api) => {
  const ns = 'https://example.com/';
  api.idToken.setCustomClaim(ns + 'connection', event.connection);
  api.idToken.setCustomClaim(ns + 'tenant', event.tenant);
  api.idToken.setCustomClaim(ns + 'geoip', event.request.geoip);
  api.idToken.setCustomClaim(ns + 'resource_server', event.resource_server ?? 'none');
  api.idToken.setCustomClaim(ns + 'organization', event.organization?.id ?? 'none');
  api.idToken.setCustomClaim(ns + 'has_organization', 'organization' in event);
  api.idToken.setCustomClaim(ns + 'session', event.session ?? 'none');
};`;

/** Block sign-ins from one country, written with ?. as Auth0's docs do. */
const GEO_BLOCK = `exports.onExecutePostLogin = async (event, api) => {
  if (event.request.geoip?.countryCode === 'GB') {
    api.access.deny('Sign-in from this country is not allowed.');
  }
};`;

/** Only the password database may sign in to this app. */
const CONNECTION_RULE = `exports.onExecutePostLogin = async (event, api) => {
  if (event.connection.strategy !== 'auth0') api.access.deny('Use your company account.');
  api.idToken.setCustomClaim('https://example.com/connection', event.connection.name);
};`;

/** MFA for the payroll API only. */
const RESOURCE_SERVER_RULE = `exports.onExecutePostLogin = async (event, api) => {
  if (event.resource_server?.identifier === 'https://payroll.example.com') {
    api.multifactor.enable('any');
  }
};`;

/** A rule for an organization; Stepup has none, so the guard keeps it silent. */
const ORGANIZATION_RULE = `exports.onExecutePostLogin = async (event, api) => {
  if (event.organization?.id === 'org_partner') api.access.deny('Partners sign in elsewhere.');
  if (event.organization) api.access.deny('Stepup has no organizations.');
};`;

const UK_ADDRESS = '81.2.69.160';

describe('Auth0 compatibility: event fields', () => {
  let provider: CompatibilityProvider;
  before(async () => {
    provider = await CompatibilityProvider.start();
    await provider.idp.stepup.store.resourceServers.upsert({
      identifier: 'https://payroll.example.com',
      scopes: ['read:payslips'],
      signingAlg: 'RS256',
      accessTokenTtl: 600,
    });
  });
  after(() => provider.close());

  test('connection, tenant, geoip, organization and session as an Action sees them', async () => {
    await provider.only('echo-event', ECHO_EVENT);
    const username = await provider.user();
    const result = await provider.login(username);
    assert.ok(result.ended === 'tokens');
    const claim = (name: string) => result.idToken[`https://example.com/${name}`];
    assert.deepEqual(claim('connection'), {
      id: 'con_password',
      name: 'Username-Password-Authentication',
      strategy: 'auth0',
      metadata: {},
    });
    assert.deepEqual(claim('tenant'), { id: new URL(provider.idp.issuer).hostname });
    assert.deepEqual(claim('geoip'), {}, 'a loopback address has no location');
    assert.equal(claim('resource_server'), 'none');
    assert.equal(claim('organization'), 'none');
    assert.equal(claim('has_organization'), false);
    assert.equal(claim('session'), 'none', 'a first sign-in has no session yet');
  });

  test('geoip comes from the local database for a public address', async () => {
    await provider.only('echo-event', ECHO_EVENT);
    const username = await provider.user();
    const result = await provider.login(username, {}, provider.browser({ 'x-forwarded-for': UK_ADDRESS }));
    assert.ok(result.ended === 'tokens');
    assert.deepEqual(result.idToken['https://example.com/geoip'], {
      countryCode: 'GB',
      countryName: 'United Kingdom',
      continentCode: 'EU',
    });
  });

  test('a geo-block written with ?. blocks the country and lets others in', async () => {
    await provider.only('geo-block', GEO_BLOCK);
    const username = await provider.user();
    const blocked = await provider.login(username, {}, provider.browser({ 'x-forwarded-for': UK_ADDRESS }));
    assert.deepEqual(blocked, {
      ended: 'error',
      error: 'access_denied',
      description: 'Sign-in from this country is not allowed.',
    });
    const elsewhere = await provider.login(username, {}, provider.browser({ 'x-forwarded-for': '8.8.8.8' }));
    assert.equal(elsewhere.ended, 'tokens');
  });

  test('a connection-based rule sees the password database', async () => {
    await provider.only('connection-rule', CONNECTION_RULE);
    const result = await provider.login(await provider.user());
    assert.ok(result.ended === 'tokens');
    assert.equal(result.idToken['https://example.com/connection'], 'Username-Password-Authentication');
  });

  test('a resource_server rule asks for MFA when the app requests that API, not otherwise', async () => {
    await provider.only('resource-server-rule', RESOURCE_SERVER_RULE);
    const username = await provider.user();
    const payroll = await provider.login(username, { resource: 'https://payroll.example.com' });
    assert.ok(payroll.ended === 'tokens' && payroll.askedForSecondFactor);
    const plain = await provider.login(username);
    assert.ok(plain.ended === 'tokens' && !plain.askedForSecondFactor);
  });

  test('an organization-guarded rule stays silent: Stepup has no organizations', async () => {
    await provider.only('organization-rule', ORGANIZATION_RULE);
    const result = await provider.login(await provider.user());
    assert.equal(result.ended, 'tokens');
  });

  test('event.session carries the id and authenticated_at of an existing session', async () => {
    await provider.only('echo-event', ECHO_EVENT);
    const username = await provider.user();
    const browser = provider.browser();
    const first = await provider.login(username, {}, browser);
    assert.ok(first.ended === 'tokens');
    assert.equal(first.idToken['https://example.com/session'], 'none');
    // The same browser again: the session signs the person in without a page.
    const again = await provider.login(username, {}, browser);
    assert.ok(again.ended === 'tokens');
    const session = again.idToken['https://example.com/session'] as Record<string, unknown>;
    assert.match(String(session.id), /^[\w-]{10,}$/);
    assert.match(String(session.authenticated_at), /^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
    assert.deepEqual(session.device, { last_ip: '127.0.0.1', last_user_agent: 'node' });
  });
});
