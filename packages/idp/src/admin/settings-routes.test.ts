import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ACR_MULTI_FACTOR } from '@stepup/core';
import { startTestProvider } from '../testing/test-provider.ts';
import {
  expectCallback,
  expectPage,
  submitPassword,
  submitTotp,
  TestRelyingParty,
} from '../testing/test-relying-party.ts';
import { FRESH_AUTH_SECONDS, openManagementFixture, PASSWORD } from './testing/management-fixture.ts';

const DEFAULT_PUSH = {
  challenge_ttl_seconds: 60,
  enrollment_ttl_seconds: 600,
  sends: { limit: 5, window_seconds: 900 },
  denials: { limit: 3, window_seconds: 3600 },
};

describe('management API /settings', () => {
  test('changes apply at once on this node and, after its check, on another; the acr ladder waits for a restart', async () => {
    const f = await openManagementFixture();
    const second = await startTestProvider({
      dataDir: f.idp.dataDir,
      clock: f.clock,
      admin: { changeCheckSeconds: 300 },
    });
    let running = true;
    try {
      const token = await f.machine(['read:settings', 'update:settings'], 'settings-robot');
      const before = await f.call(token, 'GET', '/settings');
      assert.equal(before.status, 200);
      assert.deepEqual(before.body.push, DEFAULT_PUSH);
      assert.deepEqual(before.body.remember_browser, { days: 30 });
      assert.deepEqual(before.body.admin, { fresh_auth_seconds: FRESH_AUTH_SECONDS });
      assert.deepEqual(before.body.restart_required, []);

      const noScope = await f.call(await f.machine(['read:settings']), 'PATCH', '/settings', {
        push: { challenge_ttl_seconds: 90 },
      });
      assert.deepEqual([noScope.status, noScope.body.error?.details.scope], [403, 'update:settings']);
      const outOfRange = await f.call(token, 'PATCH', '/settings', { push: { challenge_ttl_seconds: 5 } });
      assert.deepEqual(
        [outOfRange.status, outOfRange.body.error?.code, outOfRange.body.error?.details.field],
        [400, 'invalid_body', 'push.challenge_ttl_seconds'],
      );
      const badDays = await f.call(token, 'PATCH', '/settings', { remember_browser: { days: 400 } });
      assert.deepEqual([badDays.status, badDays.body.error?.details.field], [400, 'remember_browser.days']);
      const unknown = await f.call(token, 'PATCH', '/settings', { push: { colour: 'red' } });
      assert.deepEqual([unknown.status, unknown.body.error?.code], [400, 'invalid_body']);
      const notLive = await f.call(token, 'PATCH', '/settings', { admin: { change_check_seconds: 1 } });
      assert.deepEqual([notLive.status, notLive.body.error?.code], [400, 'invalid_body']);
      assert.deepEqual(
        (await f.call(token, 'GET', '/settings')).body,
        before.body,
        'refusals change nothing',
      );

      // What the push requests and the throttles read at each request is the running object itself.
      const { push, throttling } = f.idp.stepup.config;
      const changed = await f.call(token, 'PATCH', '/settings', {
        push: { challenge_ttl_seconds: 90, sends: { limit: 3 } },
        throttling: { ip: { limit: 20 } },
        remember_browser: { days: 7 },
        factors: { email: { enabled: false } },
        acr_ladder: [
          { acr: 'urn:stepup:one', factors: 1 },
          { acr: 'urn:stepup:two', factors: 2 },
        ],
      });
      assert.equal(changed.status, 200);
      assert.deepEqual(changed.body.push, {
        ...DEFAULT_PUSH,
        challenge_ttl_seconds: 90,
        sends: { limit: 3, window_seconds: 900 },
      });
      assert.deepEqual(changed.body.restart_required, ['acrLadder']);
      assert.equal((await f.audit('admin.settings.updated')).length, 1);
      assert.equal(f.idp.stepup.config.push, push);
      assert.deepEqual(
        [push.challengeTtlSeconds, push.sends.limit, push.sends.windowSeconds, throttling.ip.limit],
        [90, 3, 900, 20],
      );
      assert.equal(f.idp.stepup.config.rememberBrowser.days, 7);
      assert.equal(f.idp.stepup.config.email.enabled, false);
      assert.equal(f.idp.stepup.config.acrLadder, undefined, 'the ladder runs as it started');

      assert.equal(second.stepup.config.push.challengeTtlSeconds, 60, 'the other node has not checked yet');
      await second.stepup.checkForChanges();
      assert.deepEqual(
        [
          second.stepup.config.push.challengeTtlSeconds,
          second.stepup.config.push.sends.limit,
          second.stepup.config.rememberBrowser.days,
          second.stepup.config.email.enabled,
        ],
        [90, 3, 7, false],
      );

      const { dataDir } = f.idp;
      running = false;
      await second.close({ removeData: false });
      await f.idp.close({ removeData: false });
      const restarted = await startTestProvider({ dataDir });
      try {
        assert.deepEqual(
          restarted.stepup.config.acrLadder?.map((level) => level.acr),
          ['urn:stepup:one', 'urn:stepup:two'],
        );
        assert.equal(restarted.stepup.config.push.challengeTtlSeconds, 90);
      } finally {
        await restarted.close();
      }
    } finally {
      if (running) {
        await second.close({ removeData: false });
        await f.close();
      }
    }
  });

  test('admin.fresh_auth_seconds applies to the next privileged change', async () => {
    const f = await openManagementFixture();
    try {
      await f.person('operator', true);
      const person = await f.signIn('operator');
      f.advance(FRESH_AUTH_SECONDS + 1);
      const stale = await f.call(person, 'POST', '/keys/rotate');
      assert.deepEqual([stale.status, stale.body.error?.code], [401, 'insufficient_user_authentication']);
      const settings = await f.machine(['update:settings']);
      const longer = await f.call(settings, 'PATCH', '/settings', { admin: { fresh_auth_seconds: 600 } });
      assert.deepEqual([longer.status, longer.body.admin], [200, { fresh_auth_seconds: 600 }]);
      assert.equal((await f.call(person, 'POST', '/keys/rotate')).status, 200);
    } finally {
      await f.close();
    }
  });

  test('email codes switched off stop being offered at once, and an email-only person gets no password-only enrollment; back on, they are offered again', async () => {
    const f = await openManagementFixture();
    try {
      await f.idp.addClient({ client_id: 'app', token_endpoint_auth_method: 'none' });
      await f.idp.addUser('erin', PASSWORD, { email: 'erin@example.com' });
      const rp = await TestRelyingParty.discover(f.idp.issuer, 'app', { token_endpoint_auth_method: 'none' });
      const afterPassword = async () => {
        const browser = rp.inNewBrowser();
        const login = await browser.authorizationUrl({ acr_values: ACR_MULTI_FACTOR });
        const page = expectPage(await browser.open(login));
        return submitPassword(browser.browser, page.html, 'erin', PASSWORD);
      };
      const secondFactorPage = async () => expectPage(await afterPassword()).html;
      assert.match(await secondFactorPage(), /\/email-code"/);
      const token = await f.machine(['update:settings']);
      const off = await f.call(token, 'PATCH', '/settings', { factors: { email: { enabled: false } } });
      assert.equal(off.status, 200);
      // Her address still counts as her factor: the step-up ends unmet, with no enrollment offered.
      const unmet = expectCallback(await afterPassword());
      assert.equal(unmet.searchParams.get('error'), 'unmet_authentication_requirements');
      assert.match(String(unmet.searchParams.get('error_description')), /switched off by the operator/);
      await f.call(token, 'PATCH', '/settings', { factors: { email: { enabled: true } } });
      assert.match(await secondFactorPage(), /\/email-code"/);
    } finally {
      await f.close();
    }
  });

  test('throttling.code_tries_per_login applies to the next wrong code', async () => {
    const f = await openManagementFixture();
    try {
      await f.idp.addClient({ client_id: 'app', token_endpoint_auth_method: 'none' });
      await f.person('tom', false);
      const token = await f.machine(['update:settings']);
      const once = await f.call(token, 'PATCH', '/settings', { throttling: { code_tries_per_login: 1 } });
      assert.equal(once.status, 200);
      const rp = await TestRelyingParty.discover(f.idp.issuer, 'app', { token_endpoint_auth_method: 'none' });
      const login = await rp.authorizationUrl({ acr_values: ACR_MULTI_FACTOR });
      const page = expectPage(await rp.open(login));
      const totp = expectPage(await submitPassword(rp.browser, page.html, 'tom', PASSWORD));
      const refused = expectCallback(await submitTotp(rp.browser, totp.html, '000000'));
      assert.equal(refused.searchParams.get('error'), 'unmet_authentication_requirements');
    } finally {
      await f.close();
    }
  });
});
