import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  isPreviousClientSecret,
  PREVIOUS_SECRET_METADATA,
} from '../client-secrets/previous-client-secret.ts';
import { hashClientSecret, STORED_SECRET_METADATA } from '../client-secrets/stored-client-secret.ts';
import { managementApiIdentifier } from './management-api-identity.ts';
import { isoTime } from './management-dependencies.ts';
import { type ManagementFixture, openManagementFixture } from './testing/management-fixture.ts';

describe('management API /clients', () => {
  let f: ManagementFixture;
  let token: string;
  before(async () => {
    f = await openManagementFixture();
    token = await f.machine(
      [
        'read:clients',
        'create:clients',
        'update:clients',
        'delete:clients',
        'update:client_grants',
        'read:audit',
        'read:users',
      ],
      'client-robot',
    );
  });
  after(() => f.close());

  const tokenWith = (clientId: string, secret: string) =>
    fetch(`${f.idp.issuer}/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}` },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        resource: managementApiIdentifier(f.idp.issuer),
        scope: 'read:audit read:users',
      }),
    });

  test('a machine client created here gets tokens with its scopes only; a rotation with no grace ends the old secret', async () => {
    const created = await f.call(token, 'POST', '/clients', {
      client_id: 'reporting',
      client_name: 'Reporting job',
      grant_types: ['client_credentials'],
    });
    assert.equal(created.status, 201);
    const api = managementApiIdentifier(f.idp.issuer);
    const scoped = await f.call(token, 'PUT', '/clients/reporting/scopes', {
      resource: api,
      scopes: ['read:audit'],
    });
    assert.equal(scoped.status, 200);
    const secret = created.body.client_secret as string;
    assert.equal(secret.length, 43);
    assert.deepEqual(created.body.client, {
      client_id: 'reporting',
      client_name: 'Reporting job',
      type: 'confidential',
      grant_types: ['client_credentials'],
      redirect_uris: [],
      post_logout_redirect_uris: [],
      id_token_signed_response_alg: 'RS256',
      default_acr_values: [],
      token_endpoint_auth_method: 'client_secret_basic',
      require_pushed_authorization_requests: false,
      require_signed_request_object: false,
      dpop_bound_access_tokens: false,
      client_profile: null,
      jwks: null,
      jwks_uri: null,
      scopes: {},
      provider_role: null,
    });
    assert.deepEqual((await f.call(token, 'GET', '/clients/reporting')).body, scoped.body);
    assert.deepEqual(scoped.body.scopes, { [api]: ['read:audit'] });
    assert.ok(
      !JSON.stringify((await f.call(token, 'GET', '/clients')).body).includes(secret),
      'secrets are never listed',
    );

    const granted = (await (await tokenWith('reporting', secret)).json()) as {
      access_token: string;
      scope: string;
    };
    assert.equal(granted.scope, 'read:audit', 'read:users was not allowed');
    assert.equal((await f.call(granted.access_token, 'GET', '/audit-events')).status, 200);
    assert.equal((await f.call(granted.access_token, 'GET', '/users')).status, 403);

    const rotated = await f.call(token, 'POST', '/clients/reporting/secret', { grace_seconds: 0 });
    assert.equal(rotated.status, 200);
    assert.equal(rotated.body.previous_secret_expires_at, null);
    assert.notEqual(rotated.body.client_secret, secret);
    assert.equal((await tokenWith('reporting', secret)).status, 401);
    assert.equal((await tokenWith('reporting', rotated.body.client_secret as string)).status, 200);

    const changed = await f.call(token, 'PATCH', '/clients/reporting', { client_name: 'Reports' });
    assert.deepEqual(changed.body.scopes, { [api]: ['read:audit'] }, 'a PATCH keeps the grants');

    assert.equal((await f.call(token, 'DELETE', '/clients/reporting')).status, 204);
    assert.equal(
      (await f.call(granted.access_token, 'GET', '/audit-events')).status,
      401,
      'its tokens die with it',
    );
    assert.equal((await f.call(token, 'GET', '/clients/reporting')).status, 404);
    for (const type of ['created', 'secret_rotated', 'updated', 'deleted']) {
      const events = await f.audit(`admin.client.${type}`);
      assert.equal(events.length, 1, type);
      assert.equal(events[0]?.clientId, 'reporting');
      assert.deepEqual(events[0]?.actor, { type: 'client', id: 'client-robot' });
    }
    assert.ok(
      !JSON.stringify(await f.audit('admin.client.*')).includes(secret),
      'no secret in the audit log',
    );
  });

  test('a web application: public with PKCE, redirect URIs and a default acr', async () => {
    const created = await f.call(token, 'POST', '/clients', {
      client_id: 'spa',
      public: true,
      redirect_uris: ['https://spa.example/callback'],
      default_acr_values: ['http://schemas.openid.net/pape/policies/2007/06/multi-factor'],
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.client_secret, undefined);
    assert.equal((created.body.client as { type: string }).type, 'public');
    const discovery = await fetch(
      `${f.idp.issuer}/authorize?client_id=spa&response_type=code&scope=openid&redirect_uri=${encodeURIComponent('https://spa.example/callback')}&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`,
      { redirect: 'manual' },
    );
    assert.equal(discovery.status, 303, 'the provider accepts the registration');
  });

  test("a change keeps what this API does not manage: the Actions' metadata of client add --metadata", async () => {
    await f.idp.addClient({
      client_id: 'payroll',
      client_secret: 'payroll-secret-0123456789abcdefghijklmn',
      client_name: 'Payroll',
      metadata: { tier: 'gold' },
    });
    const renamed = await f.call(token, 'PATCH', '/clients/payroll', { client_name: null });
    assert.equal(renamed.status, 200);
    const stored = await f.idp.stepup.store.clients.find('payroll');
    assert.deepEqual(stored?.metadata, { tier: 'gold' });
    assert.equal(stored?.client_name, undefined, 'a field the API manages is removed when set to null');
    assert.deepEqual(stored?.[STORED_SECRET_METADATA], {
      sha256: hashClientSecret('payroll-secret-0123456789abcdefghijklmn'),
    });
  });

  test('the secret rests as the algorithm needs it: sealed for HS256, hashed once RS256; a hashed one cannot key HS256', async () => {
    const created = await f.call(token, 'POST', '/clients', {
      client_id: 'hs-app',
      redirect_uris: ['https://hs.example/cb'],
      id_token_signed_response_alg: 'HS256',
    });
    assert.equal(created.status, 201);
    const secret = String(created.body.client_secret);
    const sealed = await f.idp.stepup.store.clients.find('hs-app');
    assert.deepEqual(Object.keys(sealed?.[STORED_SECRET_METADATA] ?? {}), ['sealed']);
    assert.equal(JSON.stringify(sealed).includes(secret), false);

    const toRs256 = await f.call(token, 'PATCH', '/clients/hs-app', {
      id_token_signed_response_alg: 'RS256',
    });
    assert.equal(toRs256.status, 200);
    const hashed = await f.idp.stepup.store.clients.find('hs-app');
    assert.deepEqual(hashed?.[STORED_SECRET_METADATA], { sha256: hashClientSecret(secret) });

    const back = await f.call(token, 'PATCH', '/clients/hs-app', { id_token_signed_response_alg: 'HS256' });
    assert.deepEqual([back.status, back.body.error?.code], [409, 'conflict']);
    assert.deepEqual(await f.idp.stepup.store.clients.find('hs-app'), hashed, 'a refusal changes nothing');
  });

  test('refusals change nothing', async () => {
    const readOnly = await f.machine(['read:clients']);
    const before = await f.idp.stepup.store.clients.list();
    const noScope = await f.call(readOnly, 'POST', '/clients', {
      client_id: 'x',
      redirect_uris: ['https://x.example/cb'],
    });
    assert.deepEqual([noScope.status, noScope.body.error?.details.scope], [403, 'create:clients']);
    const cases: [unknown, string][] = [
      [{ client_id: 'x', redirect_uris: ['http://x.example/cb'] }, 'redirect_uris.0'],
      [{ client_id: 'x', redirect_uris: ['https://x.example/cb#frag'] }, 'redirect_uris.0'],
      [{ client_id: 'x y', redirect_uris: ['https://x.example/cb'] }, 'client_id'],
      [{ client_id: 'x' }, 'redirect_uris'],
      [{ client_id: 'x', public: true, grant_types: ['client_credentials'] }, 'grant_types'],
      [
        { client_id: 'x', redirect_uris: ['https://x.example/cb'], default_acr_values: ['urn:nope'] },
        'default_acr_values',
      ],
      [{ client_id: 'x', grant_types: ['password'] }, 'grant_types.0'],
    ];
    for (const [body, field] of cases) {
      const refused = await f.call(token, 'POST', '/clients', body);
      assert.deepEqual(
        [refused.status, refused.body.error?.code, refused.body.error?.details.field],
        [400, 'invalid_body', field],
      );
    }
    const dashboard = await f.call(token, 'DELETE', '/clients/stepup-dashboard');
    assert.deepEqual([dashboard.status, dashboard.body.error?.code], [409, 'conflict']);
    assert.match(dashboard.body.error?.message ?? '', /^"stepup-dashboard" is the provider's own dashboard/);
    const account = await f.call(token, 'DELETE', '/clients/stepup-account');
    assert.deepEqual([account.status, account.body.error?.code], [409, 'conflict']);
    for (const client_id of ['stepup-account', 'stepup-dashboard']) {
      const reserved = await f.call(token, 'POST', '/clients', {
        client_id,
        redirect_uris: ['https://attacker.example/cb'],
      });
      assert.deepEqual([reserved.status, reserved.body.error?.code], [409, 'conflict'], client_id);
    }
    const unknown = await f.call(token, 'PATCH', '/clients/nope', { client_name: 'x' });
    assert.deepEqual([unknown.status, unknown.body.error?.code], [404, 'not_found']);
    const publicSecret = await f.call(token, 'POST', '/clients/spa/secret');
    assert.deepEqual([publicSecret.status, publicSecret.body.error?.code], [409, 'conflict']);
    assert.deepEqual(await f.idp.stepup.store.clients.list(), before);
  });
});

describe('management API /clients: the provider’s own clients', () => {
  let f: ManagementFixture;
  let token: string;
  before(async () => {
    f = await openManagementFixture();
    token = await f.machine(['read:clients'], 'client-reader');
  });
  after(() => f.close());

  test('they say what the provider uses them for; the account page, not in the store, is found too', async () => {
    const dashboard = await f.call(token, 'GET', '/clients/stepup-dashboard');
    assert.deepEqual([dashboard.status, dashboard.body.provider_role], [200, 'dashboard']);
    const account = await f.call(token, 'GET', '/clients/stepup-account');
    assert.deepEqual(
      [account.status, account.body.client_id, account.body.provider_role],
      [200, 'stepup-account', 'account page'],
    );
    const listed = await f.call(token, 'GET', '/clients');
    const roles = (listed.body.items as { client_id: string; provider_role: string | null }[]).map(
      (client) => [client.client_id, client.provider_role],
    );
    assert.deepEqual(
      roles.find(([id]) => id === 'stepup-dashboard'),
      ['stepup-dashboard', 'dashboard'],
    );
    assert.ok(roles.filter(([id]) => id !== 'stepup-dashboard').every(([, role]) => role === null));
  });
});

describe('management API /clients/{id}/secret: rotation with overlap', () => {
  const SCOPES = ['read:clients', 'create:clients', 'update:clients', 'update:client_grants', 'read:audit'];
  const createBatch = async (f: ManagementFixture, robot: string) => {
    const created = await f.call(robot, 'POST', '/clients', {
      client_id: 'batch',
      grant_types: ['client_credentials'],
    });
    const granted = await f.call(robot, 'PUT', '/clients/batch/scopes', {
      resource: managementApiIdentifier(f.idp.issuer),
      scopes: ['read:audit'],
    });
    assert.equal(granted.status, 200);
    return created;
  };

  test('the previous secret works during the grace and not after; a third secret ends the oldest; no secret is audited', async () => {
    const f = await openManagementFixture({
      admin: { freshAuthSeconds: 60, secretRotationGraceSeconds: 3 * 3600 },
    });
    try {
      const tokenWith = async (secret: string) => {
        const response = await fetch(`${f.idp.issuer}/oauth/token`, {
          method: 'POST',
          headers: { authorization: `Basic ${Buffer.from(`batch:${secret}`).toString('base64')}` },
          body: new URLSearchParams({
            grant_type: 'client_credentials',
            resource: managementApiIdentifier(f.idp.issuer),
            scope: 'read:audit',
          }),
        });
        const body = (await response.json()) as { error?: string };
        return response.status === 200 ? 'ok' : `${response.status} ${body.error}`;
      };
      const accepted = async (secrets: Record<string, string>) => {
        const outcome: Record<string, string> = {};
        for (const [name, secret] of Object.entries(secrets)) outcome[name] = await tokenWith(secret);
        return outcome;
      };
      let robot = await f.machine(SCOPES);
      const created = await createBatch(f, robot);
      const s0 = String(created.body.client_secret);

      // Default grace: the configured one (3 h here); both secrets work.
      const rotatedAt = f.clock();
      const first = await f.call(robot, 'POST', '/clients/batch/secret');
      assert.equal(first.status, 200);
      const s1 = String(first.body.client_secret);
      const graceEnd = Date.parse(String(first.body.previous_secret_expires_at)) / 1000;
      assert.ok([rotatedAt + 3 * 3600, f.clock() + 3 * 3600].includes(graceEnd));
      assert.deepEqual(await accepted({ s0, s1 }), { s0: 'ok', s1: 'ok' });
      // A change of the registration keeps the previous secret.
      assert.equal((await f.call(robot, 'PATCH', '/clients/batch', { client_name: 'Batch' })).status, 200);
      assert.deepEqual(await accepted({ s0 }), { s0: 'ok' });

      f.advance(graceEnd - 1 - f.clock());
      assert.deepEqual(await accepted({ s0, s1 }), { s0: 'ok', s1: 'ok' }, 'one second before the end');
      f.advance(graceEnd - f.clock());
      assert.deepEqual(await accepted({ s0, s1 }), { s0: '401 invalid_client', s1: 'ok' });

      // A shorter grace on request; the next rotation ends it early: only two secrets ever work.
      robot = await f.machine(SCOPES);
      const second = await f.call(robot, 'POST', '/clients/batch/secret', { grace_seconds: 600 });
      assert.equal(second.body.previous_secret_expires_at, isoTime(f.clock() + 600));
      const s2 = String(second.body.client_secret);
      assert.deepEqual(await accepted({ s1, s2 }), { s1: 'ok', s2: 'ok' });
      const third = await f.call(robot, 'POST', '/clients/batch/secret');
      const s3 = String(third.body.client_secret);
      assert.deepEqual(await accepted({ s0, s1, s2, s3 }), {
        s0: '401 invalid_client',
        s1: '401 invalid_client',
        s2: 'ok',
        s3: 'ok',
      });

      const events = await f.audit('admin.client.secret_rotated');
      assert.deepEqual(
        events.map((event) => event.details),
        [
          { previous_secret_expires_at: isoTime(graceEnd), earlier_secret_ended: false },
          { previous_secret_expires_at: second.body.previous_secret_expires_at, earlier_secret_ended: false },
          { previous_secret_expires_at: third.body.previous_secret_expires_at, earlier_secret_ended: true },
        ],
      );
      const audited = JSON.stringify(await f.audit('admin.client.*'));
      for (const secret of [s0, s1, s2, s3])
        assert.ok(!audited.includes(secret), 'no secret in the audit log');
      const listed = JSON.stringify((await f.call(robot, 'GET', '/clients/batch')).body);
      for (const secret of [s2, s3]) assert.ok(!listed.includes(secret), 'no secret in the client view');

      // 0 ends the previous secret at once.
      const fourth = await f.call(robot, 'POST', '/clients/batch/secret', { grace_seconds: 0 });
      assert.equal(fourth.body.previous_secret_expires_at, null);
      assert.deepEqual(await accepted({ s3, s4: String(fourth.body.client_secret) }), {
        s3: '401 invalid_client',
        s4: 'ok',
      });
    } finally {
      await f.close();
    }
  });

  test('refused rotations change nothing', async () => {
    const f = await openManagementFixture({
      admin: { freshAuthSeconds: 60, secretRotationGraceSeconds: 3600 },
    });
    try {
      const robot = await f.machine(SCOPES);
      await createBatch(f, robot);
      await f.call(robot, 'POST', '/clients/batch/secret', { grace_seconds: 600 });
      const stored = await f.idp.stepup.store.clients.find('batch');
      assert.ok(
        isPreviousClientSecret(stored?.[PREVIOUS_SECRET_METADATA]),
        'a previous secret is kept, as a digest',
      );
      const cases: [unknown, string][] = [
        [{ grace_seconds: 3601 }, 'grace_seconds'],
        [{ grace_seconds: -1 }, 'grace_seconds'],
        [{ grace_seconds: 1.5 }, 'grace_seconds'],
        [{ grace_seconds: '60' }, 'grace_seconds'],
        [{ secret: 'chosen-by-me' }, ''],
      ];
      for (const [body, field] of cases) {
        const refused = await f.call(robot, 'POST', '/clients/batch/secret', body);
        assert.deepEqual(
          [refused.status, refused.body.error?.code, refused.body.error?.details.field],
          [400, 'invalid_body', field],
          JSON.stringify(body),
        );
      }
      const readOnly = await f.machine(['read:clients']);
      const noScope = await f.call(readOnly, 'POST', '/clients/batch/secret');
      assert.deepEqual([noScope.status, noScope.body.error?.details.scope], [403, 'update:clients']);
      const unknown = await f.call(robot, 'POST', '/clients/nope/secret');
      assert.deepEqual([unknown.status, unknown.body.error?.code], [404, 'not_found']);
      assert.deepEqual(await f.idp.stepup.store.clients.find('batch'), stored);
      assert.equal((await f.audit('admin.client.secret_rotated')).length, 1);
    } finally {
      await f.close();
    }
  });
});
