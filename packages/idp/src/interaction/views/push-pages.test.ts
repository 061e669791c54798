import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderPushAuthenticatorPage } from './push-authenticator-page.ts';
import { type PushChallengeState, renderPushChallengePage } from './push-challenge-page.ts';
import { renderPushEnrollmentPage } from './push-enrollment-page.ts';

const EVIL = '<script>alert("x")</script>';
const QR = 'data:image/png;base64,iVBORw0KGgo=';
const LINK = 'http://localhost:3000/authenticator#enroll=abc';

function challenge(
  state: PushChallengeState,
  overrides: Partial<Parameters<typeof renderPushChallengePage>[0]> = {},
) {
  return renderPushChallengePage({
    state,
    cancelAction: '/interaction/abc/cancel',
    csrfToken: 'csrf-1',
    clientName: 'Salary',
    username: 'alice',
    authenticatorUrl: 'http://localhost:3000/authenticator',
    ...overrides,
  });
}

const WAITING: PushChallengeState = {
  kind: 'waiting',
  number: 42,
  ttlSeconds: 60,
  eventsUrl: '/interaction/abc/push/events',
  nextUrl: '/interaction/abc/push/result',
};

function enrollment(overrides: Partial<Parameters<typeof renderPushEnrollmentPage>[0]> = {}) {
  return renderPushEnrollmentPage({
    qrCodeDataUrl: QR,
    link: LINK,
    ttlSeconds: 600,
    eventsUrl: '/interaction/abc/push/events',
    nextUrl: '/interaction/abc',
    cancelAction: '/interaction/abc/cancel',
    csrfToken: 'csrf-1',
    clientName: 'Salary',
    username: 'alice',
    ...overrides,
  });
}

const pages = {
  waiting: challenge(WAITING, {
    alternatives: { action: '/interaction/abc/choose', choices: [{ method: 'totp', label: 'Code' }] },
  }),
  expired: challenge({ kind: 'expired', resendAction: '/interaction/abc/push/resend' }),
  paused: challenge({ kind: 'blocked', reason: 'paused', retryAfterSeconds: 3000 }),
  throttled: challenge({ kind: 'blocked', reason: 'throttled', retryAfterSeconds: 30 }),
  wrongNumber: challenge(
    { kind: 'wrong-number', continueUrl: 'http://localhost:3000/auth/abc' },
    { alternatives: { action: '/interaction/abc/choose', choices: [{ method: 'totp', label: 'Code' }] } },
  ),
  enrollment: enrollment(),
  authenticator: renderPushAuthenticatorPage(),
};

describe('push pages', () => {
  it('load scripts and styles from this origin only, never inline (CSP)', () => {
    for (const [name, page] of Object.entries(pages)) {
      assert.ok(!/<script(?![^>]*\ssrc="\/assets\/)/.test(page), `${name}: inline script`);
      assert.ok(!page.includes(' style='), name);
      assert.ok(!page.includes('<style'), name);
      assert.ok(page.includes('<link rel="stylesheet" href="/assets/push.css">'), name);
    }
  });

  it('label every visible input', () => {
    for (const [name, page] of Object.entries(pages)) {
      for (const input of page.match(/<input\b[^>]*>/g) ?? []) {
        if (input.includes('type="hidden"')) continue;
        const id = /\sid="([^"]+)"/.exec(input)?.[1];
        assert.ok(id && page.includes(`<label for="${id}"`), `${name}: ${input}`);
      }
    }
  });

  it('escape the application and user names', () => {
    for (const page of [
      challenge(WAITING, { clientName: EVIL, username: EVIL }),
      enrollment({ clientName: EVIL, username: EVIL }),
    ]) {
      assert.ok(page.includes('&lt;script&gt;'));
      assert.ok(!page.includes('<script>'));
    }
  });

  it('the waiting page shows the number, listens with a script and refreshes without one', () => {
    const page = pages.waiting;
    assert.ok(page.includes('<p class="push-number" aria-labelledby="push-number-label">42</p>'));
    assert.ok(
      page.includes(
        'data-push-events="/interaction/abc/push/events" data-push-next="/interaction/abc/push/result"',
      ),
    );
    assert.ok(
      page.includes(
        '<noscript><meta http-equiv="refresh" content="3; url=/interaction/abc/push/result"></noscript>',
      ),
    );
    assert.ok(page.includes('<script src="/assets/push-wait.js" defer></script>'));
    assert.ok(page.includes('name="method" value="totp"'));
    assert.ok(page.includes('role="status"'));
  });

  it('only the waiting page refreshes itself: an expired or blocked request must not send another', () => {
    for (const name of ['expired', 'paused', 'throttled', 'wrongNumber', 'enrollment'] as const) {
      assert.ok(!pages[name].includes('http-equiv="refresh"'), name);
    }
    assert.ok(pages.expired.includes('<form method="post" action="/interaction/abc/push/resend">'));
    assert.ok(pages.paused.includes('<h1>Sign-in requests are paused</h1>'));
    assert.ok(pages.paused.includes('Try again in 50 minutes.'));
    assert.ok(pages.throttled.includes('<h1>Too many sign-in requests</h1>'));
  });

  it('a wrong number: the page says why and leads on to the application, with nothing left to cancel or choose', () => {
    const page = pages.wrongNumber;
    assert.ok(page.includes('<h1>The request was refused</h1>'));
    assert.ok(page.includes('data-push-refusal="wrong_number"'));
    assert.ok(page.includes('<a class="button button-primary" href="http://localhost:3000/auth/abc">'));
    assert.ok(!page.includes('http-equiv="refresh"'));
    assert.ok(!page.includes('action="/interaction/abc/cancel"'), 'the login is over');
    assert.ok(!page.includes('name="method"'), 'the login is over');
  });

  it('the enrollment page shows the QR code, the link and the terminal command', () => {
    const page = pages.enrollment;
    assert.ok(page.includes(`<img class="qr-code" src="${QR}"`));
    assert.ok(page.includes(`<a href="${LINK}">${LINK}</a>`));
    assert.ok(page.includes(`npx stepup-authenticator enroll '${LINK}' --key-file`));
    assert.ok(page.includes('It works once, for 10 minutes'));
    assert.ok(page.includes('<a class="button button-primary" href="/interaction/abc">'));
  });

  it('the enrollment page refuses a QR code or link that is not what it claims to be', () => {
    assert.throws(() => enrollment({ qrCodeDataUrl: 'javascript:alert(1)' }), TypeError);
    assert.throws(() => enrollment({ link: 'javascript:alert(1)' }), TypeError);
  });

  it('the authenticator page links its manifest and module script, and has templates for requests', () => {
    const page = pages.authenticator;
    assert.ok(page.includes('<link rel="manifest" href="/authenticator/manifest.webmanifest">'));
    assert.ok(page.includes('<script type="module" src="/assets/authenticator.js"></script>'));
    assert.ok(page.includes('<template id="request-template">'));
    assert.ok(page.includes('<noscript>'));
  });
});
