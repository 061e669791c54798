import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ACR_MULTI_FACTOR } from '@stepup/core';
import { totpCodeAt } from '../factors/totp/totp.ts';
import { startTestProvider } from '../testing/test-provider.ts';
import {
  expectCallback,
  expectPage,
  submitPassword,
  submitTotp,
  TestRelyingParty,
} from '../testing/test-relying-party.ts';

const PASSWORD = 'correct horse battery';
const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

/**
 * The audit log's IP column: every event a request caused carries that request's client IP (here
 * the loopback address), not only the few whose callers passed it along.
 */
test('every audit event of a sign-in with a wrong then a right TOTP code has the request IP', async (t) => {
  const idp = await startTestProvider();
  t.after(() => idp.close());
  await idp.addClient({ client_id: 'app', client_secret: 'audit-ip-client-secret-0123456789abcdef' });
  const user = await idp.addUser('ines', PASSWORD);
  await idp.importTotp(user.id, TOTP_SECRET);

  const rp = await TestRelyingParty.discover(idp.issuer, 'app', {
    client_secret: 'audit-ip-client-secret-0123456789abcdef',
  });
  const pending = await rp.authorizationUrl({ acr_values: ACR_MULTI_FACTOR });
  const login = expectPage(await rp.open(pending));
  const totpPage = expectPage(await submitPassword(rp.browser, login.html, 'ines', PASSWORD));
  const wrong = String((Number(totpCodeAt(TOTP_SECRET, Math.floor(Date.now() / 1000))) + 1) % 1_000_000);
  const retry = expectPage(await submitTotp(rp.browser, totpPage.html, wrong.padStart(6, '0')));
  const code = totpCodeAt(TOTP_SECRET, Math.floor(Date.now() / 1000));
  expectCallback(await submitTotp(rp.browser, retry.html, code));

  await idp.stepup.auditWritesSettled();
  const events: { type: string; ip: string | undefined }[] = [];
  for await (const event of idp.stepup.store.auditEvents.export({}))
    events.push({ type: event.type, ip: event.ip });
  const types = events.map((event) => event.type);
  for (const expected of ['login.succeeded', 'factor.failed', 'stepup.satisfied']) {
    assert.ok(types.includes(expected), `${expected} in ${types.join(', ')}`);
  }
  assert.deepEqual(
    events.filter((event) => event.ip !== '127.0.0.1'),
    [],
    'no event without the request IP',
  );
});
