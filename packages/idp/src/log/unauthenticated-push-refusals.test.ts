import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import pino from 'pino';
import { PUSH_DEVICE_PATHS } from '../factors/push/push-protocol.ts';
import { openSqliteStore } from '../store/sqlite/sqlite-store.ts';
import { startTestProvider } from '../testing/test-provider.ts';
import { createAuthEventLogger } from './auth-events.ts';

/**
 * Audit finding 5: anyone could write the audit log, one `push.rejected` row per unauthenticated
 * request with a device and challenge id of their choosing. Those refusals are logged (and counted
 * there), never audited; what a device whose signature verified did is audited as before.
 */
test('unauthenticated push device requests write no audit row, however many', async (t) => {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  const idp = await startTestProvider({ logger });
  t.after(() => idp.close());
  for (let index = 0; index < 20; index++) {
    const device = `attacker-${randomUUID()}`;
    const answered = await fetch(`${idp.issuer}${PUSH_DEVICE_PATHS.challenges}/${randomUUID()}/response`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        device,
        decision: 'deny',
        number: null,
        nonce: 'n',
        timestamp: 1,
        signature: 'AA',
      }),
    });
    assert.ok([400, 401, 404].includes(answered.status), String(answered.status));
    const listed = await fetch(
      `${idp.issuer}${PUSH_DEVICE_PATHS.challenges}?device=${device}&timestamp=1&signature=AA`,
    );
    assert.ok([400, 401].includes(listed.status), String(listed.status));
  }
  // Appends are not awaited by the requests: wait for any to land.
  await idp.stepup.auditWritesSettled();
  const rows: string[] = [];
  for await (const event of idp.stepup.store.auditEvents.export({ type: 'push.*' })) rows.push(event.type);
  assert.deepEqual(rows, []);
  assert.equal(lines.filter((line) => line.event === 'push.rejected').length, 40, 'each is logged');
});

test('a refusal after the device signature verified is audited', async (t) => {
  const store = await openSqliteStore({ file: ':memory:' });
  t.after(() => store.close());
  const log = createAuthEventLogger(pino({ level: 'silent' }), {
    auditEvents: store.auditEvents,
    clock: () => 1_700_000_000,
  });
  log({ event: 'push.rejected', reason: 'bad_signature', deviceId: 'chosen-by-anyone' });
  log({ event: 'push.rejected', reason: 'unknown_device', deviceId: 'chosen-by-anyone' });
  log({ event: 'push.rejected', reason: 'invalid_request' });
  log({ event: 'push.rejected', reason: 'invalid_enrollment_token' });
  log({ event: 'push.rejected', reason: 'unknown_challenge', deviceId: 'd1', challengeId: 'c1' });
  log({ event: 'push.rejected', reason: 'challenge_resolved', deviceId: 'd1', challengeId: 'c1' });
  await log.settled();
  const written: string[] = [];
  for await (const event of store.auditEvents.export({})) written.push(String(event.details.reason));
  assert.deepEqual(written, ['unknown_challenge', 'challenge_resolved']);
});
