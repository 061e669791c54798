import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ACR_MULTI_FACTOR } from '@stepup/core';
import { LOCALHOST_TLS_CERTIFICATE } from '../../testing/localhost-tls-certificate.ts';
import { type SmtpTestServer, startSmtpTestServer } from '../../testing/smtp-test-server.ts';
import { formAction, hiddenField, type TestBrowser } from '../../testing/test-browser.ts';
import { startTestProvider, type TestProvider } from '../../testing/test-provider.ts';
import {
  expectCallback,
  expectPage,
  submitPassword,
  TestRelyingParty,
} from '../../testing/test-relying-party.ts';

// Email codes delivered to a real SMTP server (STARTTLS, AUTH), and what the person sees when the
// server cannot be reached or refuses the provider's credentials.

const CLIENT_SECRET = 'smtp-client-secret-0123456789abcdef';
const PASSWORD = 'correct horse battery';
const TOTP_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

/** The six-digit code in a message as the email-code template writes it. */
function codeIn(raw: string): string {
  const code = /^ {4}(\d{6})$/m.exec(raw)?.[1];
  assert.ok(code, `the message holds a code:\n${raw}`);
  return code;
}

function submitEmailCode(browser: TestBrowser, html: string, code: string) {
  return browser.navigate(formAction(html, '/email-code'), {
    form: { csrf: hiddenField(html, 'csrf'), code },
  });
}

/** A provider that sends over `smtpUrl`, trusting the test server's certificate as its private CA. */
async function startWithSmtp(smtpUrl: string) {
  const dataDir = mkdtempSync(join(tmpdir(), 'stepup-smtp-'));
  const smtpCaFile = join(dataDir, 'smtp-ca.pem');
  writeFileSync(smtpCaFile, LOCALHOST_TLS_CERTIFICATE);
  const idp = await startTestProvider({ dataDir, email: { smtpUrl, smtpCaFile } });
  await idp.addClient({ client_id: 'app', client_secret: CLIENT_SECRET, client_name: 'Salary' });
  return idp;
}

async function signIn(idp: TestProvider, username: string) {
  const rp = await TestRelyingParty.discover(idp.issuer, 'app', { client_secret: CLIENT_SECRET });
  const pending = await rp.authorizationUrl({ acr_values: ACR_MULTI_FACTOR });
  const login = expectPage(await rp.open(pending));
  return { rp, pending, next: await submitPassword(rp.browser, login.html, username, PASSWORD) };
}

describe('email codes over SMTP', () => {
  let smtp: SmtpTestServer;
  let idp: TestProvider;
  before(async () => {
    smtp = await startSmtpTestServer();
    idp = await startWithSmtp(smtp.url);
  });
  after(async () => {
    await idp.close();
    await smtp.close();
  });

  test('the code goes out encrypted and authenticated, and completes the step-up; nothing lands in the outbox', async () => {
    await idp.addUser('mailed', PASSWORD, { email: 'mailed@example.com' });
    const { rp, pending, next } = await signIn(idp, 'mailed');
    const page = expectPage(next);
    assert.equal(page.page.status, 200);
    assert.equal(smtp.received.length, 1);
    const [message] = smtp.received;
    assert.deepEqual(message?.to, ['mailed@example.com']);
    assert.equal(message?.user, 'stepup');
    assert.equal(message?.encrypted, true, 'STARTTLS before the message');
    assert.deepEqual(smtp.logins, [{ user: 'stepup', encrypted: true }], 'credentials only inside TLS');
    assert.match(message?.raw ?? '', /^From: Stepup <no-reply@localhost>$/m);

    const tokens = await rp.redeem(
      expectCallback(await submitEmailCode(rp.browser, page.html, codeIn(message?.raw ?? ''))),
      pending,
    );
    assert.equal(tokens.claims()?.acr, ACR_MULTI_FACTOR);
    assert.deepEqual(tokens.claims()?.amr, ['mfa', 'otp', 'pwd']);
    assert.equal(existsSync(join(idp.dataDir, 'outbox')), false);
  });
});

describe('when SMTP fails, the login says so and offers the other factors', () => {
  const cases: { name: string; smtpUrl: () => Promise<{ url: string; server?: SmtpTestServer }> }[] = [
    {
      name: 'the server refuses the credentials',
      smtpUrl: async () => {
        const server = await startSmtpTestServer({ password: 'the right one' });
        return { url: server.url.replace(encodeURIComponent('the right one'), 'wrong'), server };
      },
    },
    {
      name: 'nothing listens on the port',
      smtpUrl: async () => {
        const server = await startSmtpTestServer();
        await server.close();
        return { url: server.url };
      },
    },
    {
      name: 'the server does not offer STARTTLS, so the credentials are never sent',
      smtpUrl: async () => {
        const server = await startSmtpTestServer({ offerStartTls: false });
        return { url: server.url, server };
      },
    },
  ];

  for (const { name, smtpUrl } of cases) {
    test(name, async () => {
      const { url, server } = await smtpUrl();
      const idp = await startWithSmtp(url);
      try {
        const user = await idp.addUser('unlucky', PASSWORD, { email: 'unlucky@example.com' });
        await idp.importTotp(user.id, TOTP_SECRET);
        const { rp, next } = await signIn(idp, 'unlucky');
        const totp = expectPage(next);
        const page = expectPage(
          await rp.browser.navigate(formAction(totp.html, '/choose'), {
            form: { csrf: hiddenField(totp.html, 'csrf'), method: 'email-otp' },
          }),
        );
        assert.equal(page.page.status, 503);
        assert.match(page.html, /We could not send the email just now/);
        assert.match(page.html, /value="totp"/, 'the authenticator app is offered instead');
        assert.deepEqual(server?.received ?? [], []);
        assert.equal(
          (server?.logins ?? []).some((login) => !login.encrypted),
          false,
          'no credentials in clear',
        );
        assert.equal(existsSync(join(idp.dataDir, 'outbox')), false, 'never falls back to the outbox');
      } finally {
        await idp.close();
        await server?.close();
      }
    });
  }
});
