import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { ALLOWED_SCOPES_METADATA, MANAGEMENT_API_PATH } from './management-api-identity.ts';
import { type ManagementFixture, openManagementFixture } from './testing/management-fixture.ts';

const LEGACY = 'legacy-robot';

/**
 * Before issue 13, `stepup_allowed_scopes` was one flat list for every API. Such a client now has no
 * grants (fail closed); the operator must see which clients those are and how to grant again: one
 * warning per client when the provider starts, and `legacy_scopes` in the management API.
 */
describe('clients with a flat, pre-issue-13 scope list', () => {
  let f: ManagementFixture;
  const lines: Record<string, unknown>[] = [];
  before(async () => {
    const first = await openManagementFixture();
    await first.idp.addClient({
      client_id: LEGACY,
      grant_types: ['client_credentials'],
      client_secret: 'a legacy robot secret that is long enough',
      [ALLOWED_SCOPES_METADATA]: ['read:users', 'update:users'],
    });
    await first.idp.addClient({ client_id: 'modern-robot', grant_types: ['client_credentials'] });
    const { dataDir } = first.idp;
    await first.idp.close({ removeData: false });
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    f = await openManagementFixture({ dataDir, logger });
  });
  after(() => f.close());

  test('the provider warns once per such client at start, naming it and the call that fixes it', () => {
    const warnings = lines.filter((line) => line.code === 'legacy_client_scopes');
    assert.deepEqual(
      warnings.map((line) => [line.level, line.client_id, line.legacy_scopes, line.fix]),
      [[40, LEGACY, ['read:users', 'update:users'], `PUT ${MANAGEMENT_API_PATH}/clients/${LEGACY}/scopes`]],
    );
  });

  test('GET /clients/{id} shows the old list as legacy_scopes beside its empty scopes', async () => {
    const token = await f.machine(['read:clients'], 'reader-robot');
    const legacy = await f.call(token, 'GET', `/clients/${LEGACY}`);
    assert.deepEqual(
      [legacy.status, legacy.body.scopes, legacy.body.legacy_scopes],
      [200, {}, ['read:users', 'update:users']],
    );
    const modern = await f.call(token, 'GET', '/clients/modern-robot');
    assert.deepEqual([modern.status, modern.body.legacy_scopes], [200, undefined]);
  });

  // The list grants nothing, but the client itself still works: it was refused as a whole
  // (invalid_client_metadata on every request, its sign-ins included) before.
  test('a legacy client gets no management token, yet is still a valid client', async () => {
    const tokenRequest = async (params: Record<string, string>) => {
      const response = await fetch(`${f.idp.issuer}/oauth/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${LEGACY}:a legacy robot secret that is long enough`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', ...params }),
      });
      return [response.status, ((await response.json()) as { error?: string }).error];
    };
    assert.deepEqual(
      await tokenRequest({ scope: 'read:users', resource: `${f.idp.issuer}${MANAGEMENT_API_PATH}` }),
      [400, 'invalid_target'],
    );
    assert.deepEqual(await tokenRequest({}), [200, undefined]);
  });
});
