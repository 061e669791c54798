import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { readSettingsOverrides } from '../../../packages/idp/src/admin/settings-overrides.ts';
import { openClientSecret } from '../../../packages/idp/src/client-secrets/stored-client-secret.ts';
import { DEMO_PUSH_SENDS } from './demo-push-limit.ts';
import { isDemoMode, launchDemo } from './launch-demo.ts';
import { ensurePayoutTransaction, PAYOUT_ACCOUNT_CHANGE_TYPE } from './payout-transaction.ts';
import { seedActionFor } from './seed-action.ts';

// `npm start` without a browser: what it creates, what it prints, and what it leaves alone.

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

describe('the npm start launcher', () => {
  const folders: string[] = [];
  after(() => {
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });

  async function start(dataDir: string, extra: NodeJS.ProcessEnv = {}) {
    const printed: string[] = [];
    const demo = await launchDemo({
      env: {
        IDP_PORT: String(await freePort()),
        APP_PORT: String(await freePort()),
        STEPUP_DATA_DIR: dataDir,
        STEPUP_LOG_LEVEL: 'silent',
        ...extra,
      },
      print: (line) => printed.push(line),
    });
    return { demo, printed, text: printed.join('\n') };
  }

  function newDataDir(): string {
    const folder = mkdtempSync(join(tmpdir(), 'stepup-demo-'));
    folders.push(folder);
    return join(folder, 'data');
  }

  test('first start creates the demo tenant once and prints the URLs, passwords and the TOTP secret', async () => {
    const dataDir = newDataDir();
    const first = await start(dataDir);
    let secondRun: Awaited<ReturnType<typeof start>> | undefined;
    try {
      const { tenant, stepup } = first.demo;
      assert.ok(tenant);
      assert.equal(tenant.created, true);
      assert.match(first.text, /DEMO MODE/);
      assert.ok(first.text.includes(`Salary app      ${first.demo.appUrl}`));
      assert.ok(first.text.includes(`Authenticator   ${first.demo.issuer}/authenticator`));
      assert.ok(first.text.includes(`Dashboard       ${first.demo.issuer}/dashboard`));
      // The hint is a command that works as printed: user add refuses to run without --password.
      assert.ok(first.text.includes("npx stepup-idp user add <name> --password '<password>' --admin"));
      for (const employee of tenant.employees) {
        assert.ok(
          employee.password && first.text.includes(employee.password),
          `${employee.username}'s password`,
        );
        const user = await stepup.store.users.findByLogin(employee.username);
        assert.equal(user?.email, null, 'no email: no email codes instead of enrolling a factor');
      }
      const bob = tenant.employees.find((employee) => employee.username === 'bob');
      assert.ok(bob?.totp && first.text.includes(bob.totp.secret) && first.text.includes(bob.totp.uri));

      // The salary client: confidential, HS256 ID tokens, the app's callback.
      const client = await stepup.store.clients.find('salary');
      assert.equal(client?.id_token_signed_response_alg, 'HS256');
      // HS256 keys ID tokens with the secret: it rests sealed, never in plain.
      assert.equal(client?.client_secret, undefined);
      const secretBox = stepup.secretKeyring;
      assert.equal(client && openClientSecret(client, secretBox), tenant.clientSecret);
      assert.deepEqual(client?.redirect_uris, [`${first.demo.appUrl}/auth/callback`]);

      // The seed's Action, verbatim but for the client id, deployed and enabled.
      const action = await stepup.store.actions.find('salary-step-up');
      assert.equal(action?.enabled, true);
      assert.equal(action?.code, seedActionFor('salary'));
      assert.match(action.code, /const CLIENTS_WITH_MFA = \['salary'\];/);
      assert.ok(
        action.code.includes(
          "if (event.transaction.acr_values === 'http://schemas.openid.net/pape/policies/2007/06/multi-factor') {\n" +
            "      api.multifactor.enable('any', { allowRememberBrowser: false });",
        ),
      );
      assert.equal(statSync(tenant.file).mode & 0o777, 0o600);

      // The payout account change (RFC 9396) and the resource the app names with it (RFC 8707).
      assert.deepEqual(await stepup.store.authorizationDetailTypes.find('payout_account_change'), {
        type: 'payout_account_change',
        description: 'Change salary payout account',
        schema: PAYOUT_ACCOUNT_CHANGE_TYPE.schema,
        displayFields: [
          { field: 'iban', label: 'to' },
          { field: 'holder', label: 'holder' },
        ],
      });
      assert.deepEqual(tenant.payoutTransaction, {
        resource: `${first.demo.appUrl}/payout-account`,
        changed: true,
      });
      assert.deepEqual(await stepup.store.resourceServers.find(`${first.demo.appUrl}/payout-account`), {
        identifier: `${first.demo.appUrl}/payout-account`,
        scopes: [],
        accessTokenTtl: 300,
        signingAlg: 'RS256',
      });
      assert.equal(
        await ensurePayoutTransaction(stepup, `${first.demo.appUrl}/payout-account`),
        false,
        'a start with nothing new writes nothing',
      );

      // The README's walk-through sends more push requests than a real tenant's 5 per 15 minutes allow.
      assert.deepEqual(stepup.config.push.sends, DEMO_PUSH_SENDS);
      assert.deepEqual((await readSettingsOverrides(stepup.store.keys)).push?.sends, DEMO_PUSH_SENDS);
    } finally {
      await first.demo.close();
    }

    // A restart over the same data creates nothing and prints the same passwords.
    secondRun = await start(dataDir);
    try {
      const { tenant, stepup } = secondRun.demo;
      assert.equal(tenant?.created, false);
      assert.equal(tenant?.action.changed, false);
      assert.equal((await stepup.store.actions.find('salary-step-up'))?.version, 1);
      assert.deepEqual(
        tenant?.employees.map((employee) => employee.password),
        first.demo.tenant?.employees.map((employee) => employee.password),
      );
      assert.deepEqual(stepup.config.push.sends, DEMO_PUSH_SENDS, 'kept over a restart');
      // The app listens elsewhere now: the client follows it.
      assert.deepEqual((await stepup.store.clients.find('salary'))?.redirect_uris, [
        `${secondRun.demo.appUrl}/auth/callback`,
      ]);
      // ... and so does the payout resource; the type, unchanged, is not written again.
      assert.deepEqual(tenant?.payoutTransaction, {
        resource: `${secondRun.demo.appUrl}/payout-account`,
        changed: true,
      });
      assert.equal(
        (await stepup.store.resourceServers.find(`${secondRun.demo.appUrl}/payout-account`))?.identifier,
        `${secondRun.demo.appUrl}/payout-account`,
      );
      assert.equal((await stepup.store.authorizationDetailTypes.list()).length, 1);
    } finally {
      await secondRun.demo.close();
    }
  });

  test('a push limit set in the configuration file is the demo tenant’s too', async () => {
    const dataDir = newDataDir();
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const file = join(dataDir, 'config.json');
    writeFileSync(file, JSON.stringify({ push: { sends: { limit: 7, windowSeconds: 600 } } }));
    const { demo } = await start(dataDir, { STEPUP_CONFIG: file });
    try {
      assert.equal(demo.tenant?.created, true);
      assert.deepEqual(demo.stepup.config.push.sends, { limit: 7, windowSeconds: 600 });
    } finally {
      await demo.close();
    }
  });

  test('a SALARY_CLIENT_SECRET weaker than 256 bits is refused, saying how to make one', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'stepup-demo-weak-'));
    folders.push(dataDir);
    await assert.rejects(
      start(dataDir, { SALARY_CLIENT_SECRET: 'salary-client-secret-0123456789abcdef' }),
      (error: unknown) =>
        error instanceof Error &&
        (error as { code?: unknown }).code === 'weak_client_secret' &&
        error.message.includes('openssl rand -hex 32'),
    );
  });

  test('with STEPUP_DEMO=false nothing is created, and the missing client is explained', async () => {
    const dataDir = newDataDir();
    const { demo, text } = await start(dataDir, {
      STEPUP_DEMO: 'false',
      SALARY_SESSION_SECRET: 'x'.repeat(32),
    });
    try {
      assert.equal(demo.tenant, undefined);
      // Only the provider's own dashboard client, which every provider registers at start.
      assert.deepEqual(
        (await demo.stepup.store.clients.list()).map((client) => client.client_id),
        ['stepup-dashboard'],
      );
      assert.deepEqual(await demo.stepup.store.actions.list(), []);
      assert.equal(await demo.stepup.store.users.findByLogin('alice'), undefined);
      assert.equal(existsSync(join(dataDir, 'demo-tenant.json')), false);
      assert.doesNotMatch(text, /DEMO MODE/);
      assert.match(text, /No client "salary" is registered/);
      // The secret the app needs is the one client add prints: the hint says to restart with it.
      assert.match(text, /npx stepup-idp client add salary --redirect-uri /);
      assert.match(text, /restart with the client_secret it prints once: SALARY_CLIENT_SECRET=/);
      assert.deepEqual(
        demo.stepup.config.push.sends,
        { limit: 5, windowSeconds: 900 },
        'a real tenant’s limit',
      );
    } finally {
      await demo.close();
    }
  });

  test('on every interface, the LAN addresses of the authenticator are printed, with what a phone needs', async () => {
    const { demo, text } = await start(newDataDir(), { IDP_HOST: '0.0.0.0' });
    try {
      assert.match(text, /Listening on 0\.0\.0\.0, so other devices on your network can reach it/);
      assert.match(text, /STEPUP_ISSUER to that https address/);
    } finally {
      await demo.close();
    }
  });

  test('STEPUP_DEMO takes true or false, nothing else', () => {
    assert.equal(isDemoMode({}), true);
    assert.equal(isDemoMode({ STEPUP_DEMO: '0' }), false);
    assert.throws(() => isDemoMode({ STEPUP_DEMO: 'off' }), /Invalid setting STEPUP_DEMO/);
  });
});
