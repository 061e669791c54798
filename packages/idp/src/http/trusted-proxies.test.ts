import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pino from 'pino';
import type { StepupConfig } from '../config/config-schema.ts';
import { TestBrowser } from '../testing/test-browser.ts';
import { startTestProvider } from '../testing/test-provider.ts';
import {
  expectCallback,
  expectPage,
  submitPassword,
  TestRelyingParty,
} from '../testing/test-relying-party.ts';

const CLIENT_SECRET = 'proxy-client-secret-0123456789abcdef';
const PASSWORD = 'correct horse battery';
/** What a client wrote (left) and what the proxy in front of the provider appended (right). */
const FORWARDED_FOR = '203.0.113.66, 198.51.100.20';

/**
 * Signs in through a proxy that appends to `X-Forwarded-For`, with one wrong password first, and
 * returns the client address each part of the provider saw: the password throttle and audit
 * (`login.failed`), and the Actions run by oidc-provider on a silent login (`event.request.ip`).
 */
async function addressesSeen(trustProxy: StepupConfig['trustProxy']) {
  const events: { event?: string; ip?: string }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void events.push(JSON.parse(line)) });
  const idp = await startTestProvider({ trustProxy, logger });
  try {
    await idp.addClient({ client_id: 'app', client_secret: CLIENT_SECRET, client_name: 'Salary' });
    await idp.addUser('proxied', PASSWORD);
    await idp.deployAction(
      'tell-ip',
      `exports.onExecutePostLogin = async (event, api) => {
        if (event.transaction.protocol === 'oidc-silent') api.access.deny('ip=' + event.request.ip);
      };`,
    );
    const rp = (
      await TestRelyingParty.discover(idp.issuer, 'app', { client_secret: CLIENT_SECRET })
    ).inBrowser(new TestBrowser(idp.issuer, { 'x-forwarded-for': FORWARDED_FOR }));
    const login = expectPage(await rp.open(await rp.authorizationUrl()));
    const wrong = expectPage(await submitPassword(rp.browser, login.html, 'proxied', 'wrong'));
    expectCallback(await submitPassword(rp.browser, wrong.html, 'proxied', PASSWORD));
    const silent = expectCallback(await rp.open(await rp.authorizationUrl({ prompt: 'none' })));
    return {
      throttleAndAudit: events.find((entry) => entry.event === 'login.failed')?.ip,
      actions: silent.searchParams.get('error_description'),
    };
  } finally {
    await idp.close();
  }
}

describe('the client address behind proxies', () => {
  test('not trusted (the default): the socket peer, whatever X-Forwarded-For says', async () => {
    assert.deepEqual(await addressesSeen(false), { throttleAndAudit: '127.0.0.1', actions: 'ip=127.0.0.1' });
  });

  test('one trusted hop: the address the proxy appended, not what the client wrote', async () => {
    assert.deepEqual(await addressesSeen(1), {
      throttleAndAudit: '198.51.100.20',
      actions: 'ip=198.51.100.20',
    });
  });

  test('trusted proxy addresses: the first address from the right that is not a trusted proxy', async () => {
    assert.deepEqual(await addressesSeen(['127.0.0.0/8']), {
      throttleAndAudit: '198.51.100.20',
      actions: 'ip=198.51.100.20',
    });
    assert.deepEqual(await addressesSeen(['127.0.0.1', '198.51.100.0/24']), {
      throttleAndAudit: '203.0.113.66',
      actions: 'ip=203.0.113.66',
    });
  });

  test('true trusts every hop: the left-most address, which the client writes', async () => {
    assert.deepEqual(await addressesSeen(true), {
      throttleAndAudit: '203.0.113.66',
      actions: 'ip=203.0.113.66',
    });
  });
});
