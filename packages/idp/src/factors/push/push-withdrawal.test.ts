import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type DeviceCredentials, signPushResponse } from '../../authenticator/device-key.ts';
import { listPendingChallenges } from '../../authenticator/list-pending-challenges.ts';
import { type DeviceStreamEvent, listenForChallenges } from '../../authenticator/listen-for-challenges.ts';
import { respondToChallenge } from '../../authenticator/respond-to-challenge.ts';
import {
  enrollTestDevice,
  loginToSecondFactor,
  readPushPage,
  recordingLogger,
} from '../../testing/push-login.ts';
import { formAction, hiddenField } from '../../testing/test-browser.ts';
import { startTestProvider, type TestProvider } from '../../testing/test-provider.ts';
import {
  expectCallback,
  expectPage,
  submitTotp,
  TestRelyingParty,
} from '../../testing/test-relying-party.ts';
import { totpCodeAt } from '../totp/totp.ts';
import { pushResponsePath } from './push-protocol.ts';

const CLIENT_SECRET = 'push-withdrawal-secret-0123456789abcdef';
const PASSWORD = 'correct horse battery';
const TOTP_SECRET = 'KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU';
/** Shorter than a push request's time: a request must still end with its login. */
const INTERACTION_TTL = 60;
const CHALLENGE_TTL = 120;

describe('push withdrawal: a push request ends when its login ends', () => {
  let idp: TestProvider;
  let offset = 0;
  const now = () => Math.floor(Date.now() / 1000) + offset;
  const audit = recordingLogger();

  before(async () => {
    idp = await startTestProvider({
      logger: audit.logger,
      clock: now,
      ttl: { interaction: INTERACTION_TTL },
      push: { challengeTtlSeconds: CHALLENGE_TTL, sends: { limit: 50, windowSeconds: 900 } },
    });
    await idp.addClient({ client_id: 'salary', client_secret: CLIENT_SECRET, client_name: 'Salary' });
  });
  after(() => idp.close());

  /** A user with a device (and TOTP), in the middle of a login whose push page is showing. */
  async function pushLogin(username: string) {
    const user = await idp.addUser(username, PASSWORD);
    await idp.importTotp(user.id, TOTP_SECRET);
    const device = await enrollTestDevice(idp, user.id);
    const rp = await TestRelyingParty.discover(idp.issuer, 'salary', { client_secret: CLIENT_SECRET });
    const { pending, page } = await loginToSecondFactor(rp, username, PASSWORD);
    const push = readPushPage(page);
    const [challenge] = await listPendingChallenges(device);
    assert.ok(challenge);
    return { user, device, rp, pending, push, challenge };
  }

  async function cancel(rp: TestRelyingParty, html: string) {
    return rp.browser.navigate(formAction(html, '/cancel'), { form: { csrf: hiddenField(html, 'csrf') } });
  }

  /** Collects a device stream's events until `until` says stop. */
  async function streamUntil(device: DeviceCredentials, until: (event: DeviceStreamEvent) => boolean) {
    const abort = new AbortController();
    const events: DeviceStreamEvent[] = [];
    let markReady = () => {};
    const ready = new Promise<void>((resolve) => {
      markReady = resolve;
    });
    const done = (async () => {
      try {
        for await (const event of listenForChallenges(device, { signal: abort.signal })) {
          if (event.type === 'ready') markReady();
          events.push(event);
          if (until(event)) break;
        }
      } catch (error) {
        if (!abort.signal.aborted) throw error;
      }
      return events;
    })();
    await ready;
    return { done, stop: () => abort.abort() };
  }

  const statusOf = async (id: string) => (await idp.stepup.store.pushChallenges.findById(id))?.status;

  test('cancelling the login withdraws its request: devices stop listing it, and a late approval gets login_ended', async () => {
    const { user, device, rp, push, challenge } = await pushLogin('olga');
    const stream = await streamUntil(device, (event) => event.type === 'resolved');
    const callback = expectCallback(await cancel(rp, push.html));
    assert.equal(callback.searchParams.get('error'), 'unmet_authentication_requirements');

    assert.deepEqual(await listPendingChallenges(device), []);
    const events = await stream.done;
    assert.deepEqual(events.at(-1), { type: 'resolved', id: challenge.id, status: 'withdrawn' });
    await assert.rejects(
      respondToChallenge(
        device,
        challenge.id,
        { decision: 'approve', number: push.number },
        { nonce: challenge.nonce },
      ),
      { code: 'login_ended', status: 410 },
    );
    await assert.rejects(
      respondToChallenge(device, challenge.id, { decision: 'deny' }, { nonce: challenge.nonce }),
      {
        code: 'login_ended',
        status: 410,
      },
    );
    assert.equal(await statusOf(challenge.id), 'withdrawn');
    assert.deepEqual(
      audit.events
        .filter((entry) => entry.userId === user.id && String(entry.event).startsWith('push.'))
        .map((entry) => entry.event),
      ['push.sent', 'push.withdrawn'],
    );
  });

  test('finishing the login with another factor withdraws the push request', async () => {
    const { device, rp, pending, push, challenge } = await pushLogin('pavel');
    const totp = expectPage(
      await rp.browser.navigate(formAction(push.html, '/choose'), {
        form: { csrf: hiddenField(push.html, 'csrf'), method: 'totp' },
      }),
    );
    assert.deepEqual(
      (await listPendingChallenges(device)).map((pendingChallenge) => pendingChallenge.id),
      [challenge.id],
      'still open while the login goes on',
    );
    const tokens = await rp.redeem(
      expectCallback(await submitTotp(rp.browser, totp.html, totpCodeAt(TOTP_SECRET, now()))),
      pending,
    );
    assert.deepEqual(tokens.claims()?.amr, ['mfa', 'otp', 'pwd']);
    assert.deepEqual(await listPendingChallenges(device), []);
    await assert.rejects(
      respondToChallenge(
        device,
        challenge.id,
        { decision: 'approve', number: push.number },
        { nonce: challenge.nonce },
      ),
      { code: 'login_ended', status: 410 },
    );
  });

  test('a request never outlives its login: it expires with the interaction at the latest', async () => {
    const { device, push, challenge } = await pushLogin('quinn');
    assert.ok(
      challenge.expiresAt - challenge.createdAt <= INTERACTION_TTL,
      `expires with the login, not ${CHALLENGE_TTL} s after it was sent`,
    );
    offset = INTERACTION_TTL;
    try {
      assert.deepEqual(await listPendingChallenges(device, { now }), []);
      await assert.rejects(
        respondToChallenge(
          device,
          challenge.id,
          { decision: 'approve', number: push.number },
          { nonce: challenge.nonce, now },
        ),
        { code: 'challenge_expired', status: 410 },
      );
    } finally {
      offset = 0;
    }
  });

  test('approvals racing the cancel: either one approval wins and nothing is withdrawn, or the withdrawal wins and every approval gets login_ended', async () => {
    const { device, rp, push, challenge } = await pushLogin('rosa');
    const body = await signPushResponse(device, {
      challengeId: challenge.id,
      decision: 'approve',
      number: push.number,
      nonce: challenge.nonce,
    });
    const approve = async () => {
      const response = await fetch(`${idp.issuer}${pushResponsePath(challenge.id)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const answer = (await response.json()) as { error?: string };
      return `${response.status} ${answer.error ?? ''}`.trim();
    };
    const approvals = Array.from({ length: 50 }, approve);
    const [cancelled, ...answers] = await Promise.all([cancel(rp, push.html), ...approvals]);
    assert.equal(expectCallback(cancelled).searchParams.get('error'), 'unmet_authentication_requirements');
    const status = await statusOf(challenge.id);
    const distinct = [...new Set(answers)].sort();
    if (status === 'approved') {
      assert.equal(answers.filter((answer) => answer === '200').length, 1);
      assert.deepEqual(distinct, ['200', '409 challenge_resolved']);
    } else {
      assert.equal(status, 'withdrawn');
      assert.deepEqual(distinct, ['410 login_ended']);
    }
    assert.deepEqual(await listPendingChallenges(device), []);
  });
});
