import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestProvider, type TestProvider } from '../testing/test-provider.ts';
import {
  expectCallback,
  expectPage,
  submitPassword,
  TestRelyingParty,
} from '../testing/test-relying-party.ts';
import { THROTTLE_CODE_HEADER } from './answer-throttle-refusal.ts';

const CLIENT_SECRET = 'shared-address-secret-0123456789abcd';
const PASSWORD = 'correct horse battery';
const IP_LIMIT = 5;

/**
 * Everyone behind one address (a proxy without trust settings, an office NAT) shares the per-IP
 * limit. Someone guessing there must not lock out people whose browsers signed in before.
 */
describe('failed passwords behind a shared address', () => {
  let idp: TestProvider;
  before(async () => {
    idp = await startTestProvider({ throttling: { ip: { limit: IP_LIMIT, windowSeconds: 900 } } });
    await idp.addClient({ client_id: 'app', client_secret: CLIENT_SECRET, client_name: 'Salary' });
  });
  after(() => idp.close());

  test('hold back new browsers, but not a browser the account signed in from before', async () => {
    await idp.addUser('colleague', PASSWORD);
    const colleague = await TestRelyingParty.discover(idp.issuer, 'app', { client_secret: CLIENT_SECRET });
    const first = expectPage(await colleague.open(await colleague.authorizationUrl()));
    expectCallback(await submitPassword(colleague.browser, first.html, 'colleague', PASSWORD));

    const guesser = colleague.inNewBrowser();
    let page = expectPage(await guesser.open(await guesser.authorizationUrl()));
    for (let i = 0; i < IP_LIMIT; i += 1) {
      page = expectPage(await submitPassword(guesser.browser, page.html, `victim-${i}`, 'guess'));
      assert.equal(page.page.status, 401);
    }
    page = expectPage(await submitPassword(guesser.browser, page.html, 'colleague', PASSWORD));
    assert.deepEqual([page.page.status, page.page.headers.get(THROTTLE_CODE_HEADER)], [429, 'ip_throttled']);

    const again = expectPage(await colleague.open(await colleague.authorizationUrl({ prompt: 'login' })));
    expectCallback(await submitPassword(colleague.browser, again.html, 'colleague', PASSWORD));
  });
});
