import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderErrorPage } from './error-page.ts';
import { escapeHtml, html, raw } from './html.ts';
import { renderLoginPage } from './login-page.ts';
import { renderLogoutConfirmPage, renderLogoutSuccessPage } from './logout-pages.ts';
import { renderTotpChallengePage } from './totp-challenge-page.ts';
import { renderTotpEnrollmentPage } from './totp-enrollment-page.ts';

const EVIL = '<script>alert("x")</script>';
const CSRF = 'csrf-"token"&<1>';
const CSRF_ESCAPED = 'csrf-&quot;token&quot;&amp;&lt;1&gt;';
const QR = 'data:image/png;base64,iVBORw0KGgo=';
const LOGOUT_FORM =
  '<form id="op.logoutForm" method="post" action="/session/end/confirm">' +
  '<input type="hidden" name="xsrf" value="logout-xsrf"/></form>';

function login(overrides: Partial<Parameters<typeof renderLoginPage>[0]> = {}): string {
  return renderLoginPage({
    action: '/interaction/abc/login',
    csrfToken: CSRF,
    clientName: 'Salary',
    ...overrides,
  });
}

function challenge(overrides: Partial<Parameters<typeof renderTotpChallengePage>[0]> = {}): string {
  return renderTotpChallengePage({
    action: '/interaction/abc/totp',
    cancelAction: '/interaction/abc/abort',
    csrfToken: CSRF,
    clientName: 'Salary',
    username: 'alice',
    ...overrides,
  });
}

function enrollment(overrides: Partial<Parameters<typeof renderTotpEnrollmentPage>[0]> = {}): string {
  return renderTotpEnrollmentPage({
    action: '/interaction/abc/totp/enroll',
    cancelAction: '/interaction/abc/abort',
    csrfToken: CSRF,
    clientName: 'Salary',
    username: 'alice',
    qrCodeDataUrl: QR,
    secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
    otpauthUri: 'otpauth://totp/Stepup:alice?secret=JBSWY3DPEHPK3PXP&issuer=Stepup',
    ...overrides,
  });
}

const allPages: Record<string, string> = {
  login: login({
    error: 'Wrong password.',
    stepUpReason: 'Salary asks you to sign in again',
    username: 'al',
  }),
  challenge: challenge({ error: 'Wrong code.', attemptsLeft: 2 }),
  enrollment: enrollment({ error: 'Wrong code.' }),
  error: renderErrorPage({ title: 'Broken link', message: 'Nope.', hint: 'Go back.', reference: 'req-1' }),
  logoutConfirm: renderLogoutConfirmPage({ form: LOGOUT_FORM, clientName: 'Salary' }),
  logoutSuccess: renderLogoutSuccessPage({ clientName: 'Salary' }),
};

function tagsOf(page: string, tag: string): string[] {
  return page.match(new RegExp(`<${tag}\\b[^>]*>`, 'g')) ?? [];
}

function attribute(tag: string, name: string): string | undefined {
  return new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];
}

/** The markup of the form that posts to `action`, from its opening tag to its `</form>`. */
function formPostingTo(page: string, action: string): string {
  const tag = tagsOf(page, 'form').find(
    (form) => attribute(form, 'method') === 'post' && attribute(form, 'action') === action,
  );
  assert.ok(tag, `no form posts to ${action}`);
  const start = page.indexOf(tag);
  return page.slice(start, page.indexOf('</form>', start));
}

/** The submit buttons a person can press inside one form. */
function submitButtons(form: string): string[] {
  return tagsOf(form, 'button').filter((button) => attribute(button, 'type') === 'submit');
}

describe('html', () => {
  it('escapes the five HTML-significant characters', () => {
    assert.equal(escapeHtml(`&<>"'`), '&amp;&lt;&gt;&quot;&#39;');
  });

  it('escapes interpolations but keeps SafeHtml and joins arrays of it', () => {
    const out = html`<p title="${'"x"'}">${EVIL}${raw('<b>ok</b>')}${[raw('<i>1</i>'), raw('<i>2</i>')]}</p>`;
    assert.equal(
      out.toString(),
      '<p title="&quot;x&quot;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<b>ok</b><i>1</i><i>2</i></p>',
    );
  });

  it('renders null and undefined as nothing', () => {
    assert.equal(html`a${undefined}b${null}c`.toString(), 'abc');
  });
});

describe('pages', () => {
  it('escape clientName, username, error and other interpolated text', () => {
    const pages = [
      login({ clientName: EVIL, error: EVIL, username: EVIL, stepUpReason: EVIL }),
      challenge({ clientName: EVIL, error: EVIL, username: EVIL }),
      enrollment({ clientName: EVIL, error: EVIL, username: EVIL, secret: EVIL }),
      renderErrorPage({ title: EVIL, message: EVIL, hint: EVIL, reference: EVIL }),
      renderLogoutConfirmPage({ form: LOGOUT_FORM, clientName: EVIL }),
      renderLogoutSuccessPage({ clientName: EVIL }),
    ];
    for (const page of pages) {
      assert.ok(page.includes('&lt;script&gt;'), page);
      assert.ok(!page.includes('<script'), page);
    }
  });

  it('are complete HTML5 documents with the one stylesheet', () => {
    for (const [name, page] of Object.entries(allPages)) {
      assert.ok(page.startsWith('<!doctype html>\n<html lang="en">'), name);
      assert.ok(page.includes('<meta name="viewport" content="width=device-width, initial-scale=1">'), name);
      assert.deepEqual(
        tagsOf(page, 'link').filter((tag) => tag.includes('stylesheet')),
        ['<link rel="stylesheet" href="/assets/stepup.css">'],
      );
      assert.equal(tagsOf(page, 'h1').length, 1, name);
    }
  });

  it('contain no script, inline style or external resource (CSP)', () => {
    for (const [name, page] of Object.entries(allPages)) {
      assert.ok(!page.includes('<script'), name);
      assert.ok(!page.includes(' style='), name);
      assert.ok(!page.includes('<style'), name);
      assert.ok(!/\s(?:src|href)="(?:https?:)?\/\//.test(page), name);
    }
  });

  it('label every visible input', () => {
    for (const [name, page] of Object.entries(allPages)) {
      for (const input of tagsOf(page, 'input')) {
        if (attribute(input, 'type') === 'hidden') continue;
        const id = attribute(input, 'id');
        assert.ok(id, `${name}: input without id: ${input}`);
        assert.ok(page.includes(`<label for="${id}"`), `${name}: no label for #${id}`);
      }
    }
  });

  it('point aria-describedby only at ids that exist', () => {
    for (const [name, page] of Object.entries(allPages)) {
      for (const input of tagsOf(page, 'input')) {
        for (const id of attribute(input, 'aria-describedby')?.split(' ') ?? []) {
          assert.ok(page.includes(` id="${id}"`), `${name}: missing #${id}`);
        }
      }
    }
  });
});

describe('renderLoginPage', () => {
  it('posts username and password with the csrf token to the action', () => {
    const page = login();
    assert.ok(page.includes('<form method="post" action="/interaction/abc/login">'));
    assert.ok(page.includes(`<input type="hidden" name="csrf" value="${CSRF_ESCAPED}">`));
    assert.ok(page.includes('<span class="client-name">Salary</span>'), 'the page names the app');
    assert.equal(submitButtons(formPostingTo(page, '/interaction/abc/login')).length, 1);
    const [username, password] = tagsOf(page, 'input').filter((tag) => !tag.includes('hidden'));
    assert.equal(attribute(username ?? '', 'autocomplete'), 'username');
    assert.equal(attribute(password ?? '', 'autocomplete'), 'current-password');
    assert.equal(attribute(password ?? '', 'type'), 'password');
    assert.ok(!page.includes('role="alert"'));
    assert.ok(!page.includes('aria-invalid'));
  });

  it('shows the error in an alert the inputs point at', () => {
    const page = login({ error: 'Check your password and try again.' });
    assert.ok(page.includes('role="alert" id="login-error"'));
    assert.ok(page.includes('Check your password and try again.'));
    const visible = tagsOf(page, 'input').filter((tag) => !tag.includes('hidden'));
    for (const input of visible) {
      assert.equal(attribute(input, 'aria-invalid'), 'true');
      assert.equal(attribute(input, 'aria-describedby'), 'login-error');
    }
    assert.ok(page.includes('<title>Error: Sign in – Stepup</title>'));
  });

  it('keeps the username and explains a step-up', () => {
    const page = login({ username: 'alice@example.com', stepUpReason: 'Salary asks you to sign in again' });
    assert.ok(page.includes('value="alice@example.com"'));
    assert.ok(page.includes('Salary asks you to sign in again'));
  });
});

describe('renderTotpChallengePage', () => {
  it('posts the code with the csrf token, and cancels through its own form', () => {
    const page = challenge();
    assert.ok(page.includes('<form method="post" action="/interaction/abc/totp">'));
    assert.ok(page.includes('action="/interaction/abc/abort"'));
    assert.equal(page.split(`<input type="hidden" name="csrf" value="${CSRF_ESCAPED}">`).length - 1, 2);
    const code = tagsOf(page, 'input').find((tag) => tag.includes('name="code"')) ?? '';
    assert.equal(attribute(code, 'autocomplete'), 'one-time-code');
    assert.equal(attribute(code, 'inputmode'), 'numeric');
    assert.equal(attribute(code, 'pattern'), '[0-9]{6}');
    assert.equal(submitButtons(formPostingTo(page, '/interaction/abc/totp')).length, 1);
    const [cancel] = submitButtons(formPostingTo(page, '/interaction/abc/abort'));
    assert.equal(attribute(cancel ?? '', 'class'), 'button button-secondary');
  });

  it('marks the code invalid and says how many tries are left', () => {
    const page = challenge({ error: 'That code did not work.', attemptsLeft: 2 });
    assert.ok(page.includes('That code did not work. You have 2 tries left.'));
    const code = tagsOf(page, 'input').find((tag) => tag.includes('name="code"')) ?? '';
    assert.equal(attribute(code, 'aria-invalid'), 'true');
    assert.equal(attribute(code, 'aria-describedby'), 'code-hint code-error');
  });

  it('does not mention tries while there are plenty', () => {
    assert.ok(!challenge({ attemptsLeft: 9 }).includes('tries left'));
    assert.ok(challenge({ attemptsLeft: 1 }).includes('You have 1 try left.'));
  });
});

describe('renderTotpEnrollmentPage', () => {
  it('shows the QR code, the grouped key and the otpauth link, and posts the code', () => {
    const page = enrollment();
    assert.ok(page.includes('<form method="post" action="/interaction/abc/totp/enroll">'));
    assert.ok(page.includes(`<input type="hidden" name="csrf" value="${CSRF_ESCAPED}">`));
    assert.ok(page.includes('action="/interaction/abc/abort"'));
    assert.ok(page.includes('<code class="secret">JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP</code>'));
    const img = tagsOf(page, 'img')[0] ?? '';
    assert.equal(attribute(img, 'src'), QR);
    assert.ok(attribute(img, 'alt'));
    assert.ok(page.includes('href="otpauth://totp/Stepup:alice?secret=JBSWY3DPEHPK3PXP&amp;issuer=Stepup"'));
    assert.equal(submitButtons(formPostingTo(page, '/interaction/abc/totp/enroll')).length, 1);
  });

  it('rejects a QR code or URI that is not what it claims to be', () => {
    assert.throws(() => enrollment({ qrCodeDataUrl: 'javascript:alert(1)' }), TypeError);
    assert.throws(() => enrollment({ otpauthUri: 'javascript:alert(1)' }), TypeError);
  });
});

describe('renderErrorPage', () => {
  it('shows the message, hint and reference', () => {
    const page = renderErrorPage({
      title: 'This link cannot be used',
      message: 'The app sent you to an address it has not registered.',
      hint: 'Go back to the app and try again.',
      reference: 'req_42',
    });
    assert.ok(page.includes('<h1>This link cannot be used</h1>'));
    assert.ok(page.includes('Go back to the app and try again.'));
    assert.ok(page.includes('<code>req_42</code>'));
    assert.ok(!renderErrorPage({ title: 't', message: 'm' }).includes('class="reference"'));
  });
});

describe('logout pages', () => {
  it('include the provider form raw and submit it from buttons outside it', () => {
    const page = renderLogoutConfirmPage({ form: LOGOUT_FORM });
    assert.ok(page.includes(LOGOUT_FORM));
    const buttons = tagsOf(page, 'button');
    assert.equal(buttons.length, 2);
    const [signOut, stay] = buttons;
    assert.equal(attribute(signOut ?? '', 'form'), 'op.logoutForm');
    assert.equal(attribute(signOut ?? '', 'name'), 'logout');
    assert.equal(attribute(signOut ?? '', 'value'), 'yes');
    assert.equal(attribute(stay ?? '', 'form'), 'op.logoutForm');
    assert.equal(attribute(stay ?? '', 'name'), undefined);
    assert.ok(page.indexOf('</form>') < page.indexOf('<button'));
  });

  it('confirm success, with nothing left to submit', () => {
    const page = renderLogoutSuccessPage({});
    assert.equal(tagsOf(page, 'h1').length, 1);
    assert.deepEqual(tagsOf(page, 'form'), []);
    assert.deepEqual(tagsOf(page, 'button'), []);
  });
});
