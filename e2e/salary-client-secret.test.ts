import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { launchDemo, type RunningDemo } from '../apps/salary/demo/launch-demo.ts';
import { runCli } from '../packages/idp/src/cli/run-cli.ts';
import { createLogger } from '../packages/idp/src/log/create-logger.ts';
import { CookieJarBrowser } from './support/cookie-jar-browser.ts';

// `STEPUP_DEMO=false npm start` after `stepup-idp client add salary`: the app started without the
// secret that command printed (or with another) must say so, on the page and in the log, rather than
// blame the network.

const PASSWORD = 'correct horse battery';

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

describe('the salary app without the right client secret (STEPUP_DEMO=false)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'stepup-salary-secret-'));
  const logLines: Record<string, unknown>[] = [];
  const logger = createLogger(
    'info',
    new Writable({
      write(chunk, _encoding, done) {
        logLines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
        done();
      },
    }),
  );
  let idpPort: number;
  let appPort: number;
  let running: RunningDemo | undefined;

  const cli = async (...argv: string[]) => {
    const out: string[] = [];
    const code = await runCli(
      argv,
      { out: (line) => out.push(line), env: { STEPUP_DATA_DIR: dataDir } },
      () => {},
    );
    assert.equal(code, 0, out.join('\n'));
    return out;
  };

  before(async () => {
    [idpPort, appPort] = await Promise.all([freePort(), freePort()]);
    await cli('user', 'add', 'erin', '--password', PASSWORD);
    await cli(
      ...['client', 'add', 'salary', '--redirect-uri', `http://127.0.0.1:${appPort}/auth/callback`],
      ...['--post-logout-redirect-uri', `http://127.0.0.1:${appPort}/`],
    );
  });
  after(async () => {
    await running?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const cases = [
    ['no SALARY_CLIENT_SECRET (the app signs in as a public client)', ''],
    [
      'a wrong SALARY_CLIENT_SECRET (sent with Basic authentication)',
      'Wrong0secret0of0fourty0three0characters0xyz',
    ],
  ] as const;
  for (const [name, secret] of cases) {
    test(`${name}: the page and the log say invalid_client and what to set`, async () => {
      await running?.close();
      running = await launchDemo({
        env: {
          STEPUP_DEMO: 'false',
          STEPUP_DATA_DIR: dataDir,
          IDP_PORT: String(idpPort),
          APP_PORT: String(appPort),
          SALARY_BASE_URL: `http://127.0.0.1:${appPort}`,
          SALARY_CLIENT_SECRET: secret,
          SALARY_SESSION_SECRET: 'a session secret of at least thirty-two bytes',
        },
        logger,
        print: () => {},
      });
      logLines.length = 0;
      const browser = new CookieJarBrowser();
      // The provider advertises PAR, so the app authenticates as the client already when it pushes the
      // sign-in request: the refusal comes before the person reaches the sign-in page.
      const page = await browser.navigate(`${running.appUrl}/profile`);
      assert.equal(new URL(page.url).origin, running.appUrl);
      assert.equal(page.status, 500);
      assert.match(page.body, /<code id="error-code">client_authentication_failed<\/code>/);
      assert.match(page.body, /\(invalid_client\)/);
      assert.match(page.body, /SALARY_CLIENT_SECRET/);
      assert.doesNotMatch(page.body, /could not be reached/);
      const logged = logLines.find((line) => line.component === 'salary' && line.error !== undefined);
      assert.equal(logged?.error, 'client_authentication_failed');
      assert.match(String(logged?.detail), /^invalid_client\b/);
      assert.match(String(logged?.msg), /SALARY_CLIENT_SECRET/);
    });
  }
});
