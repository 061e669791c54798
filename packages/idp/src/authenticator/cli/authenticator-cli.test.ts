import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { loginToSecondFactor, pushEnrollmentLink, readPushPage } from '../../testing/push-login.ts';
import { startTestProvider, type TestProvider } from '../../testing/test-provider.ts';
import { expectCallback, TestRelyingParty } from '../../testing/test-relying-party.ts';
import { runAuthenticatorCli } from './run-authenticator-cli.ts';

const CLIENT_SECRET = 'cli-client-secret-0123456789abcdef';
const PASSWORD = 'correct horse battery';

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runAuthenticatorCli(argv, { out: (line) => out.push(line), env: {} }, (line) =>
    err.push(line),
  );
  return { code, out, err };
}

describe('stepup-authenticator', () => {
  let idp: TestProvider;
  const dir = mkdtempSync(join(tmpdir(), 'stepup-authenticator-'));

  before(async () => {
    idp = await startTestProvider();
    await idp.addClient({ client_id: 'salary', client_secret: CLIENT_SECRET, client_name: 'Salary' });
  });
  after(async () => {
    await idp.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('enroll, listen and respond from a terminal complete a push step-up', async () => {
    const user = await idp.addUser('terminal', PASSWORD);
    const keyFile = join(dir, 'device.json');
    const link = await pushEnrollmentLink(idp, user.id, Math.floor(Date.now() / 1000));

    const enrolled = await cli('enroll', link, '--key-file', keyFile, '--name', 'Build box');
    assert.equal(enrolled.code, 0, enrolled.err.join('\n'));
    assert.match(
      enrolled.out[0] ?? '',
      /^enrolled device [0-9a-f-]{36} "Build box" for terminal at http:\/\/localhost:\d+$/,
    );
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    const again = await cli('enroll', link, '--key-file', keyFile, '--name', 'Other');
    assert.equal(again.code, 1, 'the link is spent');
    assert.match(again.err[0] ?? '', /^refused: invalid_enrollment_token: /);

    assert.deepEqual(await cli('listen', '--once', '--json', '--key-file', keyFile), {
      code: 0,
      out: [],
      err: [],
    });

    const rp = await TestRelyingParty.discover(idp.issuer, 'salary', { client_secret: CLIENT_SECRET });
    const { pending, page } = await loginToSecondFactor(rp, 'terminal', PASSWORD);
    const push = readPushPage(page);
    const listed = await cli('listen', '--once', '--json', '--key-file', keyFile);
    assert.equal(listed.out.length, 1);
    const event = JSON.parse(listed.out[0] ?? '{}') as {
      type: string;
      challenge: { id: string; choices: number[] };
    };
    assert.equal(event.type, 'challenge');
    assert.ok(event.challenge.choices.includes(push.number));
    const human = await cli('listen', '--once', '--key-file', keyFile);
    assert.match(
      human.out[0] ?? '',
      new RegExp(`^request ${event.challenge.id}  Salary  from 127\\.0\\.0\\.1  at `),
    );

    assert.equal((await cli('respond', event.challenge.id, '--number', '1', '--key-file', keyFile)).code, 2);
    assert.equal(
      (await cli('respond', event.challenge.id, '--key-file', keyFile)).code,
      2,
      '--number or --deny',
    );
    const approved = await cli(
      'respond',
      event.challenge.id,
      '--number',
      String(push.number),
      '--key-file',
      keyFile,
    );
    assert.deepEqual(approved, { code: 0, out: [`request ${event.challenge.id} approved`], err: [] });
    const replay = await cli(
      'respond',
      event.challenge.id,
      '--number',
      String(push.number),
      '--key-file',
      keyFile,
    );
    assert.equal(replay.code, 1);
    assert.match(replay.err[0] ?? '', /^refused: unknown_challenge: /, 'no longer waiting for this device');

    const tokens = await rp.redeem(expectCallback(await rp.browser.navigate(push.nextUrl)), pending);
    assert.deepEqual(tokens.claims()?.amr, ['mfa', 'pwd', 'swk']);
  });

  test('one pick from the terminal: a wrong number refuses the request, and the right one is then too late', async () => {
    const user = await idp.addUser('blind-tapper', PASSWORD);
    const keyFile = join(dir, 'blind-tapper.json');
    const link = await pushEnrollmentLink(idp, user.id, Math.floor(Date.now() / 1000));
    assert.equal((await cli('enroll', link, '--key-file', keyFile, '--name', 'Laptop')).code, 0);
    const rp = await TestRelyingParty.discover(idp.issuer, 'salary', { client_secret: CLIENT_SECRET });
    const push = readPushPage((await loginToSecondFactor(rp, 'blind-tapper', PASSWORD)).page);
    const listed = await cli('listen', '--once', '--json', '--key-file', keyFile);
    const { challenge } = JSON.parse(listed.out[0] ?? '{}') as {
      challenge: { id: string; choices: number[] };
    };
    const wrong = challenge.choices.find((number) => number !== push.number);

    const refused = await cli('respond', challenge.id, '--number', String(wrong), '--key-file', keyFile);
    assert.equal(refused.code, 1);
    assert.match(refused.err[0] ?? '', /^refused: wrong_number: /);
    const late = await cli('respond', challenge.id, '--number', String(push.number), '--key-file', keyFile);
    assert.equal(late.code, 1);
    assert.match(late.err[0] ?? '', /^refused: unknown_challenge: /, 'no longer waiting for this device');
  });

  test('the bin runs from the built package', async () => {
    const bin = new URL('../../../bin/stepup-authenticator.js', import.meta.url);
    const { stdout } = await promisify(execFile)(process.execPath, [bin.pathname, '--help']);
    assert.match(stdout, /^usage: stepup-authenticator <command>/);
    assert.match(stdout, /enroll +add this terminal as a push device/);
  });
});
