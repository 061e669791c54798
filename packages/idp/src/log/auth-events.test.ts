import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ACR_MULTI_FACTOR } from '@stepup/core';
import pino from 'pino';
import { totpCodeAt } from '../factors/totp/totp.ts';
import type { AuditEventsRepository } from '../store/audit-events.ts';
import { openSqliteStore } from '../store/sqlite/sqlite-store.ts';
import { startTestProvider, type TestProvider } from '../testing/test-provider.ts';
import {
  expectCallback,
  expectPage,
  submitPassword,
  submitTotp,
  TestRelyingParty,
} from '../testing/test-relying-party.ts';
import { createAuthEventLogger } from './auth-events.ts';

const PASSWORD = 'a password nobody logs';
const SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const CLIENT_SECRET = 'log-client-secret-0123456789abcdefgh';

describe('authentication events in the log', () => {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  let idp: TestProvider;
  let userId: string;

  before(async () => {
    const logger = pino(
      { level: 'info' },
      {
        write(line: string) {
          raw.push(line);
          lines.push(JSON.parse(line) as Record<string, unknown>);
        },
      },
    );
    idp = await startTestProvider({ logger });
    userId = (await idp.addUser('logged', PASSWORD)).id;
    await idp.importTotp(userId, SECRET);
    await idp.addClient({ client_id: 'app', client_secret: CLIENT_SECRET });

    const rp = await TestRelyingParty.discover(idp.issuer, 'app', { client_secret: CLIENT_SECRET });
    const login = await rp.authorizationUrl();
    const first = expectPage(await rp.open(login));
    const wrong = expectPage(await submitPassword(rp.browser, first.html, 'logged', 'not the password'));
    await rp.redeem(expectCallback(await submitPassword(rp.browser, wrong.html, 'logged', PASSWORD)), login);

    const stepUp = await rp.authorizationUrl({ acr_values: ACR_MULTI_FACTOR });
    const challenge = expectPage(await rp.open(stepUp));
    const retry = expectPage(await submitTotp(rp.browser, challenge.html, '123456'));
    const code = totpCodeAt(SECRET, Math.floor(Date.now() / 1000));
    await rp.redeem(expectCallback(await submitTotp(rp.browser, retry.html, code)), stepUp);
  });
  after(() => idp.close());

  const events = () => lines.filter((line) => line.component === 'auth').map((line) => line.event);

  test('each authentication event is logged with its reason', () => {
    assert.deepEqual(
      lines.filter((line) => line.event === 'login.failed').map((line) => line.reason),
      ['wrong_password'],
    );
    assert.ok(events().includes('login.succeeded'));
    assert.ok(events().includes('stepup.requested'));
    assert.deepEqual(
      lines.filter((line) => line.event === 'factor.failed').map((line) => line.reason),
      ['wrong_code'],
    );
    const satisfied = lines.find((line) => line.event === 'stepup.satisfied');
    assert.equal(satisfied?.acr, ACR_MULTI_FACTOR);
    assert.equal(satisfied?.userId, userId);
  });

  test('each event is appended to the audit log once, with its outcome, user, client and IP', async () => {
    const written: Record<string, unknown>[] = [];
    for await (const event of idp.stepup.store.auditEvents.export({})) {
      written.push({
        type: event.type,
        outcome: event.outcome,
        userId: event.userId,
        clientId: event.clientId,
      });
    }
    assert.deepEqual(written, [
      { type: 'login.failed', outcome: 'failure', userId: undefined, clientId: 'app' },
      { type: 'login.succeeded', outcome: 'success', userId, clientId: 'app' },
      { type: 'stepup.requested', outcome: 'success', userId, clientId: 'app' },
      { type: 'factor.failed', outcome: 'failure', userId, clientId: undefined },
      { type: 'stepup.satisfied', outcome: 'success', userId, clientId: 'app' },
    ]);
    const [failed] = (await idp.stepup.store.auditEvents.query({ type: 'login.failed' }, { limit: 5 }))
      .events;
    assert.equal(failed?.ip, '127.0.0.1');
    assert.deepEqual(failed?.details, { reason: 'wrong_password' });
  });

  test('no password, code or secret ever reaches the log', () => {
    const everything = raw.join('\n');
    for (const secret of [PASSWORD, 'not the password', SECRET, '123456', CLIENT_SECRET]) {
      assert.ok(!everything.includes(secret), `the log contains ${secret}`);
    }
  });
});

describe('authentication events in the audit log', () => {
  test('push, factor and WebAuthn events carry the outcome their meaning gives them', async (t) => {
    const store = await openSqliteStore({ file: ':memory:' });
    t.after(() => store.close());
    const log = createAuthEventLogger(pino({ level: 'silent' }), {
      auditEvents: store.auditEvents,
      clock: () => 1_700_000_000,
    });
    const push = { userId: 'u1', clientId: 'app', challengeId: 'c1' };
    log({ event: 'push.sent', ...push, ip: '203.0.113.7' });
    log({ event: 'push.approved', ...push, deviceId: 'd1' });
    log({ event: 'push.denied', ...push, deviceId: 'd1', reason: 'wrong_number' });
    log({ event: 'push.expired', ...push });
    log({ event: 'factor.enrolled', userId: 'u1', factor: 'totp' });
    log({ event: 'webauthn.possible_clone', userId: 'u1', credentialId: 'k1', clientId: 'app' });
    log({ event: 'account.change_refused', userId: 'u1', reason: 'csrf' });
    await log.settled();
    const written: [string, string][] = [];
    for await (const event of store.auditEvents.export({})) written.push([event.type, event.outcome]);
    assert.deepEqual(written, [
      ['push.sent', 'success'],
      ['push.approved', 'success'],
      ['push.denied', 'failure'],
      ['push.expired', 'failure'],
      ['factor.enrolled', 'success'],
      ['webauthn.possible_clone', 'failure'],
      ['account.change_refused', 'failure'],
    ]);
    const [denied] = (await store.auditEvents.query({ type: 'push.denied' }, { limit: 1 })).events;
    assert.deepEqual(denied?.details, { challengeId: 'c1', deviceId: 'd1', reason: 'wrong_number' });
  });

  test('settled() waits for appends still in flight, including one that fails', async () => {
    const appended: string[] = [];
    const releases: (() => void)[] = [];
    const log = createAuthEventLogger(pino({ level: 'silent' }), {
      clock: () => 1_700_000_000,
      auditEvents: {
        append: (event) =>
          new Promise((resolve, reject) => {
            releases.push(() => {
              if (event.type === 'login.failed') return reject(new Error('the database went away'));
              appended.push(event.type);
              resolve(undefined as never);
            });
          }),
      } as Pick<AuditEventsRepository, 'append'> as AuditEventsRepository,
    });
    log({ event: 'login.succeeded', userId: 'u1', clientId: 'app', ip: '203.0.113.7' });
    log({ event: 'login.failed', clientId: 'app', reason: 'wrong_password', ip: '203.0.113.7' });
    let settled = false;
    const settling = log.settled().then(() => {
      settled = true;
    });
    await Promise.resolve();
    assert.equal(settled, false, 'two appends are still in flight');
    for (const release of releases) release();
    await settling;
    assert.deepEqual(appended, ['login.succeeded']);
  });
});
