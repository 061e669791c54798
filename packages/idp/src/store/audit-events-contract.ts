import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import type { AuditEvent, NewAuditEvent } from './audit-events.ts';
import type { Store } from './store.ts';

const NOW = 1_700_000_000;

function event(overrides: Partial<NewAuditEvent>): NewAuditEvent {
  return { time: NOW, type: 'login.succeeded', outcome: 'success', details: {}, ...overrides };
}

async function collect(events: AsyncIterable<AuditEvent>): Promise<AuditEvent[]> {
  const all: AuditEvent[] = [];
  for await (const one of events) all.push(one);
  return all;
}

/** The store contract for the audit log: append, filtered queries with cursor paging, export, retention. */
export function describeAuditEventsContract(
  name: string,
  openStore: (t: TestContext) => Promise<Store>,
): void {
  describe(`${name}: auditEvents`, () => {
    test('append returns the stored event with an id, and optional fields stay absent', async (t) => {
      const store = await openStore(t);
      const full = await store.auditEvents.append(
        event({
          type: 'admin.user.deleted',
          userId: 'u1',
          clientId: 'dashboard',
          ip: '203.0.113.9',
          actor: { type: 'user', id: 'op' },
          details: { username: 'alice', nested: { n: 1 } },
        }),
      );
      const bare = await store.auditEvents.append(event({ type: 'push.expired', outcome: 'failure' }));
      assert.notEqual(full.id, bare.id);
      const { events, nextCursor } = await store.auditEvents.query({}, { limit: 10 });
      assert.deepEqual(events, [bare, full]);
      assert.equal(nextCursor, null);
      assert.deepEqual(Object.keys(events[0] ?? {}).sort(), ['details', 'id', 'outcome', 'time', 'type']);
    });

    test('filters by type (exact or prefix), user, client, outcome and time range', async (t) => {
      const store = await openStore(t);
      const sent = await store.auditEvents.append(
        event({ type: 'push.sent', userId: 'u1', clientId: 'c1', time: NOW }),
      );
      const denied = await store.auditEvents.append(
        event({ type: 'push.denied', outcome: 'failure', userId: 'u1', clientId: 'c2', time: NOW + 10 }),
      );
      const other = await store.auditEvents.append(
        event({ type: 'push_x.sent', userId: 'u2', clientId: 'c1', time: NOW + 20 }),
      );
      const query = async (filter: Parameters<Store['auditEvents']['query']>[0]) =>
        (await store.auditEvents.query(filter, { limit: 10 })).events.map((one) => one.id);
      assert.deepEqual(await query({ type: 'push.*' }), [denied.id, sent.id]);
      assert.deepEqual(await query({ type: 'push.sent' }), [sent.id]);
      assert.deepEqual(await query({ type: 'push' }), []);
      assert.deepEqual(await query({ userId: 'u1' }), [denied.id, sent.id]);
      assert.deepEqual(await query({ clientId: 'c1' }), [other.id, sent.id]);
      assert.deepEqual(await query({ outcome: 'failure' }), [denied.id]);
      assert.deepEqual(await query({ from: NOW + 10 }), [other.id, denied.id]);
      assert.deepEqual(await query({ to: NOW + 10 }), [sent.id]);
      assert.deepEqual(await query({ userId: 'u1', clientId: 'c1', from: NOW, to: NOW + 1 }), [sent.id]);
    });

    test('pages newest first with a cursor that stays stable while events arrive', async (t) => {
      const store = await openStore(t);
      const appended: AuditEvent[] = [];
      for (let i = 0; i < 5; i++) appended.push(await store.auditEvents.append(event({ time: NOW + i })));
      const first = await store.auditEvents.query({}, { limit: 2 });
      assert.deepEqual(
        first.events.map((one) => one.id),
        [appended[4]?.id, appended[3]?.id],
      );
      assert.ok(first.nextCursor);
      await store.auditEvents.append(event({ time: NOW + 9 }));
      const second = await store.auditEvents.query({}, { limit: 2, cursor: first.nextCursor });
      assert.deepEqual(
        second.events.map((one) => one.id),
        [appended[2]?.id, appended[1]?.id],
      );
      const last = await store.auditEvents.query({}, { limit: 2, cursor: second.nextCursor ?? '' });
      assert.deepEqual(
        last.events.map((one) => one.id),
        [appended[0]?.id],
      );
      assert.equal(last.nextCursor, null);
      await assert.rejects(store.auditEvents.query({}, { limit: 2, cursor: 'nope' }), TypeError);
    });

    test('export yields every matching event oldest first, across batches', async (t) => {
      const store = await openStore(t);
      for (let i = 0; i < 1_203; i++) {
        await store.auditEvents.append(
          event({ time: NOW + i, outcome: i % 3 === 0 ? 'failure' : 'success' }),
        );
      }
      const failures = await collect(store.auditEvents.export({ outcome: 'failure' }));
      assert.equal(failures.length, 401);
      assert.equal(failures[0]?.time, NOW);
      assert.equal(failures.at(-1)?.time, NOW + 1_200);
      assert.ok(failures.every((one, i) => i === 0 || one.time > (failures[i - 1]?.time ?? 0)));
    });

    test('deleteOlderThan removes events before the time and keeps the rest', async (t) => {
      const store = await openStore(t);
      await store.auditEvents.append(event({ time: NOW - 100 }));
      await store.auditEvents.append(event({ time: NOW - 1 }));
      const kept = await store.auditEvents.append(event({ time: NOW }));
      assert.equal(await store.auditEvents.deleteOlderThan(NOW), 2);
      assert.deepEqual((await store.auditEvents.query({}, { limit: 10 })).events, [kept]);
    });
  });
}
