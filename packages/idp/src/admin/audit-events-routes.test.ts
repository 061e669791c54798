import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestProvider } from '../testing/test-provider.ts';
import { type ManagementFixture, openManagementFixture } from './testing/management-fixture.ts';

const T0 = 1_700_000_000;

describe('management API /audit-events', () => {
  let f: ManagementFixture;
  let token: string;
  before(async () => {
    f = await openManagementFixture();
    token = await f.machine(['read:audit'], 'audit-robot');
    const { auditEvents } = f.idp.stepup.store;
    for (let i = 0; i < 5; i++) {
      await auditEvents.append({
        time: T0 + i,
        type: i % 2 ? 'push.denied' : 'push.sent',
        outcome: i % 2 ? 'failure' : 'success',
        userId: i < 3 ? 'u1' : 'u2',
        clientId: 'salary',
        details: { n: i },
      });
    }
  });
  after(() => f.close());

  test('filters and pages newest first', async () => {
    const first = await f.call(token, 'GET', '/audit-events?type=push.*&limit=2');
    assert.equal(first.status, 200);
    assert.deepEqual(
      (first.body.items as { details: { n: number } }[]).map((event) => event.details.n),
      [4, 3],
    );
    const second = await f.call(
      token,
      'GET',
      `/audit-events?type=push.*&limit=2&cursor=${first.body.next_cursor}`,
    );
    assert.deepEqual(
      (second.body.items as { details: { n: number } }[]).map((event) => event.details.n),
      [2, 1],
    );
    const filtered = await f.call(
      token,
      'GET',
      `/audit-events?user_id=u1&outcome=failure&from=${new Date(T0 * 1000).toISOString()}&to=${new Date((T0 + 3) * 1000).toISOString()}`,
    );
    assert.deepEqual(filtered.body.items, [
      {
        id: (filtered.body.items as { id: string }[])[0]?.id,
        time: new Date((T0 + 1) * 1000).toISOString(),
        type: 'push.denied',
        outcome: 'failure',
        user_id: 'u1',
        client_id: 'salary',
        details: { n: 1 },
      },
    ]);
  });

  test('exports JSON lines oldest first', async () => {
    const response = await fetch(`${f.idp.issuer}/api/v1/audit-events/export?client_id=salary`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/x-ndjson; charset=utf-8');
    const lines = (await response.text()).trimEnd().split('\n');
    assert.deepEqual(
      lines.map((line) => (JSON.parse(line) as { details: { n: number } }).details.n),
      [0, 1, 2, 3, 4],
    );
  });

  test('refusals: bad filters are 400 naming the field; other scopes are 403', async () => {
    for (const [query, field] of [
      ['outcome=maybe', 'outcome'],
      ['from=yesterday', 'from'],
      ['type=push.%25', 'type'],
      ['cursor=abc', 'cursor'],
      ['limit=0', 'limit'],
    ]) {
      const refused = await f.call(token, 'GET', `/audit-events?${query}`);
      assert.deepEqual(
        [refused.status, refused.body.error?.code, refused.body.error?.details.field],
        [400, 'invalid_query', field],
      );
    }
    const noScope = await f.call(await f.machine(['read:users']), 'GET', '/audit-events/export');
    assert.deepEqual([noScope.status, noScope.body.error?.details.scope], [403, 'read:audit']);
  });
});

describe('audit retention', () => {
  test('events older than audit.retentionDays are deleted by the expired-rows sweep (at start)', async () => {
    const first = await startTestProvider({ audit: { retentionDays: 1 } });
    const now = Math.floor(Date.now() / 1000);
    const { auditEvents } = first.stepup.store;
    await auditEvents.append({
      time: now - 2 * 24 * 3600,
      type: 'login.succeeded',
      outcome: 'success',
      details: {},
    });
    const kept = await auditEvents.append({
      time: now - 3600,
      type: 'login.succeeded',
      outcome: 'success',
      details: {},
    });
    await first.close({ removeData: false });
    const restarted = await startTestProvider({ dataDir: first.dataDir, audit: { retentionDays: 1 } });
    try {
      const { events } = await restarted.stepup.store.auditEvents.query(
        { type: 'login.succeeded' },
        { limit: 10 },
      );
      assert.deepEqual(events, [kept]);
    } finally {
      await restarted.close();
    }
  });
});
