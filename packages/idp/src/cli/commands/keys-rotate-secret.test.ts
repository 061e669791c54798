import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { openActionSecrets } from '../../actions/action-secrets.ts';
import { DATA_DIR_KEY_FILE_NAME } from '../../crypto/load-secret-keyring.ts';
import { SecretKeyring } from '../../crypto/secret-keyring.ts';
import { totpSeedContext } from '../../factors/totp/totp-factor.ts';
import { startTestProvider } from '../../testing/test-provider.ts';
import { runCli } from '../run-cli.ts';

const root = mkdtempSync(join(tmpdir(), 'stepup-cli-rotate-'));
after(() => rmSync(root, { recursive: true, force: true }));

async function cli(env: NodeJS.ProcessEnv, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (line) => out.push(line), env }, (line) => err.push(line));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const SEED = 'JBSWY3DPEHPK3PXP';

describe('stepup-idp keys rotate-secret', () => {
  test('adds a current key to the data folder key file; the next start re-seals every secret under it', async () => {
    const dataDir = join(root, 'sqlite');
    const first = await startTestProvider({ dataDir });
    const alice = await first.addUser('alice', 'correct horse battery staple');
    await first.importTotp(alice.id, SEED);
    await first.deployAction('notify', 'exports.onExecutePostLogin = async () => {};', { API_KEY: 'k-1' });
    const oldIds = first.stepup.secretKeyring.keyIds;
    const jwksBefore = await (await fetch(`${first.issuer}/.well-known/jwks.json`)).json();
    await first.close({ removeData: false });

    const rotated = await cli({ STEPUP_DATA_DIR: dataDir }, 'keys', 'rotate-secret');
    assert.equal(rotated.code, 0, rotated.err);
    const file = join(dataDir, DATA_DIR_KEY_FILE_NAME);
    const ring = SecretKeyring.parse(readFileSync(file, 'utf8'));
    assert.equal(ring.keyIds.length, 2);
    assert.deepEqual(ring.keyIds.slice(1), oldIds, 'the old key stays, second, to open the old records');
    assert.ok(rotated.out.includes(`added key ${ring.currentKeyId} as the current encryption key`));
    assert.equal(statSync(file).mode & 0o777, 0o600);

    const second = await startTestProvider({ dataDir });
    try {
      await second.stepup.resealingSettled();
      const keyring = second.stepup.secretKeyring;
      assert.deepEqual(keyring.keyIds, ring.keyIds);
      const [factor] = await second.stepup.store.factors.listForUser(alice.id);
      assert.ok(factor?.secret.startsWith(keyring.currentRecordPrefix));
      assert.ok(factor);
      assert.equal(keyring.open(factor.secret, totpSeedContext(alice.id)), SEED);
      const [version] = await second.stepup.store.actions.listVersions('notify');
      assert.ok(version?.sealedSecrets?.startsWith(keyring.currentRecordPrefix));
      assert.ok(version);
      assert.deepEqual(openActionSecrets(keyring, 'notify', version.sealedSecrets), { API_KEY: 'k-1' });
      // The provider's signing, cookie and DPoP nonce keys too: the same keys, sealed under the new key.
      const { sealedSecrets } = second.stepup.store;
      const providerKeys = await sealedSecrets.listNotStartingWith('provider-keys', 'none.', undefined, 10);
      assert.deepEqual(
        providerKeys.map((record) => [record.id, record.sealed.startsWith(keyring.currentRecordPrefix)]),
        [
          ['cookie-keys', true],
          ['dpop-nonce-secret', true],
          ['signing-jwks', true],
        ],
      );
      assert.deepEqual(await (await fetch(`${second.issuer}/.well-known/jwks.json`)).json(), jwksBefore);
      // Retiring the old key now loses nothing sealed: the ring of the new key alone opens every record.
      const newKeyOnly = SecretKeyring.parse(ring.keyTexts()[0] ?? '');
      assert.equal(newKeyOnly.open(factor.secret, totpSeedContext(alice.id)), SEED);
    } finally {
      await second.close();
    }
  });

  test('with STEPUP_SECRET_KEY it writes nothing and prints the two steps, the new key last then first', async () => {
    const dataDir = join(root, 'env');
    const current = SecretKeyring.generateKey();
    const rotated = await cli(
      { STEPUP_DATA_DIR: dataDir, STEPUP_SECRET_KEY: current },
      'keys',
      'rotate-secret',
    );
    assert.equal(rotated.code, 0, rotated.err);
    const lines = rotated.out.split('\n').filter((line) => line.trim().startsWith('STEPUP_SECRET_KEY='));
    assert.equal(lines.length, 2);
    const [stage, promote] = lines.map((line) =>
      SecretKeyring.parse(line.trim().slice('STEPUP_SECRET_KEY='.length)),
    );
    const old = SecretKeyring.parse(current);
    assert.equal(
      stage?.currentKeyId,
      old.currentKeyId,
      'step 1: every node opens with the new key, the old one seals',
    );
    assert.equal(stage?.keyIds.length, 2);
    assert.deepEqual(promote?.keyIds, [stage?.keyIds[1], old.currentKeyId], 'step 2: the new key seals');
    assert.ok(!existsSync(dataDir), 'no key file is made');
  });

  test('with PostgreSQL and no key it refuses, saying how to give every node one', async () => {
    const result = await cli(
      { STEPUP_DATA_DIR: join(root, 'pg'), STEPUP_DATABASE_URL: 'postgres://db.example/stepup' },
      'keys',
      'rotate-secret',
    );
    assert.equal(result.code, 2);
    assert.match(result.err, /every node needs the same encryption key/);
  });
});
