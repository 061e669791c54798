import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.ts';
import { startTestProvider, TEST_REDIRECT_URI } from '../../testing/test-provider.ts';
import {
  expectCallback,
  expectPage,
  submitPassword,
  TestRelyingParty,
} from '../../testing/test-relying-party.ts';
import { runCli } from '../run-cli.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'stepup-cli-client-metadata-'));
const env = { STEPUP_DATA_DIR: dataDir };
const SECRET = 'Vb1yJ6k0Qm7sX2cT9wLr4ZpE8hNf3UaD5gKo0iYqM2v';

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (line) => out.push(line), env }, (line) => err.push(line));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function storedClient(clientId: string) {
  const store = await openSqliteStore({ dataDir });
  try {
    return await store.clients.find(clientId);
  } finally {
    await store.close();
  }
}

const addPayroll = (...extra: string[]) =>
  cli('client', 'add', 'payroll', '--secret', SECRET, '--redirect-uri', TEST_REDIRECT_URI, ...extra);

/** Copies the client's metadata into the ID token, as a rule keyed on it would read it. */
const METADATA_CLAIM_ACTION = `exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim('https://example.com/client_metadata', event.client.metadata);
};`;

describe('stepup-idp client add --metadata', () => {
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test('each key=value lands in the registration’s metadata, which the Actions see as event.client.metadata', async () => {
    const result = await addPayroll(
      '--metadata',
      'dept=hr',
      '--metadata',
      'tier=gold=plus',
      '--metadata',
      'note=',
    );
    assert.equal(result.code, 0, result.err);
    assert.deepEqual((await storedClient('payroll'))?.metadata, { dept: 'hr', tier: 'gold=plus', note: '' });

    const idp = await startTestProvider({ dataDir });
    try {
      const user = await idp.addUser('metadata-reader', 'correct horse battery');
      await idp.deployAction('metadata-claim', METADATA_CLAIM_ACTION);
      const rp = await TestRelyingParty.discover(idp.issuer, 'payroll', { client_secret: SECRET });
      const pending = await rp.authorizationUrl();
      const login = expectPage(await rp.open(pending));
      const callback = expectCallback(
        await submitPassword(rp.browser, login.html, user.username, 'correct horse battery'),
      );
      const tokens = await rp.redeem(callback, pending);
      assert.deepEqual(tokens.claims()?.['https://example.com/client_metadata'], {
        dept: 'hr',
        tier: 'gold=plus',
        note: '',
      });
    } finally {
      await idp.close({ removeData: false });
    }
  });

  test('registering again without --metadata leaves none, as for every other setting', async () => {
    assert.equal((await addPayroll()).code, 0);
    assert.equal((await storedClient('payroll'))?.metadata, undefined);
  });

  const refused: [string, string[], RegExp][] = [
    ['no "="', ['--metadata', 'dept'], /--metadata: "dept" is not key=value/],
    ['an empty key', ['--metadata', '=hr'], /--metadata: key "" must be 1 to 255/],
    ['a key with a space', ['--metadata', 'cost center=1'], /--metadata: key "cost center" must be/],
    ['a key given twice', ['--metadata', 'a=1', '--metadata', 'a=2'], /--metadata: key "a" is given twice/],
    [
      'a value of 256 characters',
      ['--metadata', `a=${'x'.repeat(256)}`],
      /the value of "a" must be at most 255/,
    ],
    ['a line break in a value', ['--metadata', 'a=one\ntwo'], /the value of "a" must be at most 255/],
    [
      'eleven entries',
      Array.from({ length: 11 }, (_, index) => ['--metadata', `k${index}=v`]).flat(),
      /--metadata: at most 10 entries, got 11/,
    ],
  ];
  for (const [name, extra, message] of refused) {
    test(`${name} is refused with a usage error and changes nothing`, async () => {
      assert.equal((await addPayroll('--metadata', 'dept=hr')).code, 0);
      const before = await storedClient('payroll');
      const result = await addPayroll(...extra);
      assert.equal(result.code, 2);
      assert.match(result.err, message);
      assert.deepEqual(await storedClient('payroll'), before);
    });
  }
});
