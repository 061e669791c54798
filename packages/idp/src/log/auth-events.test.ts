import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ACR_MULTI_FACTOR } from '@stepup/core';
import pino from 'pino';
import { totpCodeAt } from '../factors/totp/totp.ts';
import { startTestProvider, type TestProvider } from '../testing/test-provider.ts';
import {
  expectCallback,
  expectPage,
  submitPassword,
  submitTotp,
  TestRelyingParty,
} from '../testing/test-relying-party.ts';

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

  test('no password, code or secret ever reaches the log', () => {
    const everything = raw.join('\n');
    for (const secret of [PASSWORD, 'not the password', SECRET, '123456', CLIENT_SECRET]) {
      assert.ok(!everything.includes(secret), `the log contains ${secret}`);
    }
  });
});
