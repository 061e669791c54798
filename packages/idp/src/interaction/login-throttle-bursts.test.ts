import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import { ACR_MULTI_FACTOR } from '@stepup/core';
import type { StepupConfigInput } from '../config/config-schema.ts';
import { formAction, hiddenField } from '../testing/test-browser.ts';
import { startTestProvider } from '../testing/test-provider.ts';
import { expectPage, submitPassword, TestRelyingParty } from '../testing/test-relying-party.ts';
import { THROTTLE_CODE_HEADER } from './answer-throttle-refusal.ts';

const CLIENT_SECRET = 'burst-client-secret-0123456789abcdef';
const PASSWORD = 'correct horse battery';
const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const BURST = 120;

/** How many answers of a burst had each status and throttle code, e.g. `{ '401': 5, '429 account_delayed': 115 }`. */
function tally(responses: readonly Response[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const response of responses) {
    const code = response.headers.get(THROTTLE_CODE_HEADER);
    const key = code ? `${response.status} ${code}` : String(response.status);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/**
 * Bursts of parallel requests through the real HTTP login: every throttle counts the attempt before
 * it is checked (ARCHITECTURE.md, Storage), so no more attempts are evaluated than the limit allows.
 */
describe('login throttles under a burst of parallel requests', () => {
  async function loginPage(t: TestContext, throttling: StepupConfigInput['throttling']) {
    const idp = await startTestProvider({ throttling });
    t.after(() => idp.close());
    await idp.addClient({ client_id: 'app', client_secret: CLIENT_SECRET, client_name: 'Salary' });
    const rp = await TestRelyingParty.discover(idp.issuer, 'app', { client_secret: CLIENT_SECRET });
    const pending = await rp.authorizationUrl({ acr_values: ACR_MULTI_FACTOR });
    return { idp, rp, page: expectPage(await rp.open(pending)) };
  }

  test('wrong passwords for one account: exactly the free failures are evaluated', async (t) => {
    const { idp, rp, page } = await loginPage(t, {
      accountFreeFailures: 5,
      ip: { limit: 1000, windowSeconds: 900 },
    });
    await idp.addUser('burst-password', PASSWORD);
    const action = formAction(page.html, '/password');
    const csrf = hiddenField(page.html, 'csrf');
    const responses = await Promise.all(
      Array.from({ length: BURST }, () =>
        rp.browser.request(action, { form: { csrf, username: 'burst-password', password: 'wrong' } }),
      ),
    );
    assert.deepEqual(tally(responses), { '401': 5, '429 account_delayed': BURST - 5 });
  });

  test('wrong passwords for many accounts from one IP: exactly the IP limit is evaluated', async (t) => {
    const { rp, page } = await loginPage(t, { ip: { limit: 40, windowSeconds: 900 } });
    const action = formAction(page.html, '/password');
    const csrf = hiddenField(page.html, 'csrf');
    const responses = await Promise.all(
      Array.from({ length: BURST }, (_, i) =>
        rp.browser.request(action, { form: { csrf, username: `sprayed-${i}`, password: 'wrong' } }),
      ),
    );
    assert.deepEqual(tally(responses), { '401': 40, '429 ip_throttled': BURST - 40 });
  });

  test('wrong TOTP codes in one login: exactly the per-account limit is evaluated', async (t) => {
    const { idp, rp, page } = await loginPage(t, {
      codeTriesPerLogin: 20,
      secondFactor: { limit: 10, windowSeconds: 900, freeFailures: 50 },
    });
    const user = await idp.addUser('burst-totp', PASSWORD);
    await idp.importTotp(user.id, TOTP_SECRET);
    const challenge = expectPage(await submitPassword(rp.browser, page.html, 'burst-totp', PASSWORD));
    const action = formAction(challenge.html, '/totp');
    const csrf = hiddenField(challenge.html, 'csrf');
    const responses = await Promise.all(
      Array.from({ length: BURST }, () => rp.browser.request(action, { form: { csrf, code: '000000' } })),
    );
    assert.deepEqual(tally(responses), { '401': 10, '429 codes_throttled': BURST - 10 });
  });
});
