import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderLoginPage } from './login-page.ts';
import { renderWebAuthnChallengePage } from './webauthn-challenge-page.ts';
import { renderWebAuthnEnrollmentPage } from './webauthn-enrollment-page.ts';

const EVIL = '<script>alert("x")</script>';
const common = {
  action: '/interaction/abc/webauthn',
  optionsAction: '/interaction/abc/webauthn/options',
  cancelAction: '/interaction/abc/cancel',
  csrfToken: 'csrf-1',
  clientName: 'Salary',
  username: 'alice',
};
const alternatives = {
  action: '/interaction/abc/choose',
  choices: [{ method: 'totp', label: 'Authenticator app code' }],
};

const pages = {
  challenge: renderWebAuthnChallengePage({ ...common, error: 'Try again.', alternatives }),
  enrollment: renderWebAuthnEnrollmentPage({ ...common, action: '/interaction/abc/webauthn-enrollment' }),
  login: renderLoginPage({
    action: '/interaction/abc/password',
    csrfToken: 'csrf-1',
    clientName: 'Salary',
    passkey: { action: '/interaction/abc/passkey', optionsAction: '/interaction/abc/passkey/options' },
  }),
};

describe('WebAuthn pages', () => {
  it('load the library and the page script from this origin, and nothing inline', () => {
    for (const [name, page] of Object.entries(pages)) {
      assert.deepEqual(
        page.match(/<script\b[^>]*>/g),
        [
          '<script src="/assets/simplewebauthn-browser.js" defer>',
          '<script src="/assets/webauthn.js" defer>',
        ],
        name,
      );
      assert.equal(page.match(/<script\b/g)?.length, 2, name);
      assert.ok(!/\son[a-z]+=/.test(page), name);
      assert.ok(!page.includes(' style='), name);
    }
  });

  it('hide the ceremony until the script shows it, and post the response with the csrf token', () => {
    const page = pages.challenge;
    assert.ok(page.includes('<div data-webauthn-panel hidden>'));
    assert.ok(
      page.includes(
        '<form method="post" action="/interaction/abc/webauthn" data-webauthn="authenticate" data-options-url="/interaction/abc/webauthn/options">',
      ),
    );
    assert.ok(page.includes('<input type="hidden" name="csrf" value="csrf-1">'));
    assert.ok(page.includes('<input type="hidden" name="response" value="">'));
    assert.ok(page.includes('<div data-webauthn-unsupported hidden>'));
    assert.ok(pages.enrollment.includes('data-webauthn="register"'));
  });

  it('explain without JavaScript, pointing at the other ways when there are some', () => {
    assert.match(pages.challenge, /<noscript>.*or choose another way below\.<\/p><\/div><\/noscript>/s);
    assert.ok(pages.challenge.includes('value="totp">Authenticator app code</button>'));
    assert.match(pages.enrollment, /<noscript>.*Turn it on and reload this page\.<\/p><\/div><\/noscript>/s);
  });

  it('offer passkey sign-in on the login page under the password form, with no noscript notice', () => {
    const page = pages.login;
    assert.ok(
      page.indexOf('action="/interaction/abc/password"') < page.indexOf('action="/interaction/abc/passkey"'),
    );
    assert.ok(page.includes('<form class="form-secondary" method="post" action="/interaction/abc/passkey"'));
    assert.ok(page.includes('>Sign in with a passkey</button>'));
    assert.ok(!page.includes('<noscript>'));
    assert.ok(!renderLoginPage({ action: '/p', csrfToken: 'c', clientName: 'S' }).includes('<script'));
  });

  it('escape what they interpolate', () => {
    const page = renderWebAuthnChallengePage({ ...common, clientName: EVIL, username: EVIL, error: EVIL });
    assert.equal(page.match(/<script\b/g)?.length, 2);
    assert.ok(page.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'));
  });
});
