import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { ConfigError } from '../config/load-config.ts';
import { DATA_DIR_KEY_FILE_NAME, loadSecretKeyring, replaceKeyFile } from './load-secret-keyring.ts';
import { SecretKeyring } from './secret-keyring.ts';

const root = mkdtempSync(join(tmpdir(), 'stepup-keyring-'));
after(() => rmSync(root, { recursive: true, force: true }));

let made = 0;
function folder(mode?: number): string {
  const dir = join(root, `dir-${++made}`);
  if (mode !== undefined) {
    mkdirSync(dir);
    chmodSync(dir, mode);
  }
  return dir;
}

const KEY = Buffer.alloc(32, 3).toString('base64');
const OTHER_KEY = Buffer.alloc(32, 4).toString('base64url');

function isConfigError(pattern: RegExp) {
  return (error: Error) => error instanceof ConfigError && pattern.test(error.message);
}

describe('loadSecretKeyring', () => {
  test('SQLite without a key: a 0600 key file in the data folder (here one that existed, 0755), created once', () => {
    const dataDir = folder(0o755);
    const first = loadSecretKeyring({ dataDir });
    const file = join(dataDir, DATA_DIR_KEY_FILE_NAME);
    assert.equal(first.created, true);
    assert.equal(first.file, file);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dataDir), [DATA_DIR_KEY_FILE_NAME], 'no draft file is left behind');
    const second = loadSecretKeyring({ dataDir });
    assert.equal(second.created, false);
    assert.deepEqual(second.keyring.keyIds, first.keyring.keyIds);
    assert.deepEqual(SecretKeyring.parse(readFileSync(file, 'utf8')).keyIds, first.keyring.keyIds);
  });

  test('starts at once on a new data folder (here 24 threads) create one key file, and all read that key', async () => {
    const dataDir = folder(0o700);
    const starts = 24;
    const barrier = new Int32Array(new SharedArrayBuffer(8));
    const workers = Array.from(
      { length: starts },
      () =>
        new Worker(new URL('./testing/load-keyring-worker.js', import.meta.url), {
          workerData: { dataDir, barrier },
        }),
    );
    const results = workers.map(
      (worker) =>
        new Promise<{ keyIds: string[]; created: boolean }>((resolve, reject) => {
          worker.once('message', resolve);
          worker.once('error', reject);
        }),
    );
    while (Atomics.load(barrier, 0) < starts) await new Promise((resolve) => setImmediate(resolve));
    Atomics.store(barrier, 1, 1);
    Atomics.notify(barrier, 1);
    const loaded = await Promise.all(results);
    await Promise.all(workers.map((worker) => worker.terminate()));
    assert.equal(loaded.filter((result) => result.created).length, 1, 'exactly one start created the file');
    assert.equal(
      new Set(loaded.map((result) => result.keyIds.join())).size,
      1,
      'every start has the same key',
    );
    assert.deepEqual(readdirSync(dataDir), [DATA_DIR_KEY_FILE_NAME]);
  });

  test('an existing key file is read, never replaced, and narrowed to 0600 if an earlier start left it open', () => {
    const dataDir = folder(0o700);
    const file = join(dataDir, DATA_DIR_KEY_FILE_NAME);
    writeFileSync(file, `${KEY}\n${OTHER_KEY}\n`);
    chmodSync(file, 0o644);
    const { keyring, created } = loadSecretKeyring({ dataDir });
    assert.equal(created, false);
    assert.deepEqual(keyring.keyIds, SecretKeyring.parse(`${KEY} ${OTHER_KEY}`).keyIds);
    assert.equal(readFileSync(file, 'utf8'), `${KEY}\n${OTHER_KEY}\n`);
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });

  test('a data folder writable by others is refused before any key is written in it', () => {
    const dataDir = folder(0o777);
    assert.throws(() => loadSecretKeyring({ dataDir }), isConfigError(/chmod 700/));
    assert.deepEqual(readdirSync(dataDir), []);
  });

  test('STEPUP_SECRET_KEY is used as given and no key file is made', () => {
    const dataDir = folder();
    const { keyring, file } = loadSecretKeyring({ dataDir, secretKey: `${OTHER_KEY},${KEY}` });
    assert.equal(file, undefined);
    assert.deepEqual(keyring.keyIds, SecretKeyring.parse(`${OTHER_KEY} ${KEY}`).keyIds);
    assert.ok(!existsSync(dataDir));
  });

  test('STEPUP_SECRET_KEY_FILE is read when private, refused when others may read it or when it is missing', () => {
    const dataDir = folder();
    const file = join(root, `key-${++made}`);
    writeFileSync(file, `${KEY}\n`, { mode: 0o600 });
    assert.deepEqual(
      loadSecretKeyring({ dataDir, secretKeyFile: file }).keyring.keyIds,
      SecretKeyring.parse(KEY).keyIds,
    );
    chmodSync(file, 0o640);
    assert.equal(loadSecretKeyring({ dataDir, secretKeyFile: file }).file, file, 'group-readable is allowed');
    chmodSync(file, 0o644);
    assert.throws(() => loadSecretKeyring({ dataDir, secretKeyFile: file }), isConfigError(/chmod 600/));
    assert.throws(
      () => loadSecretKeyring({ dataDir, secretKeyFile: join(root, 'missing') }),
      isConfigError(/STEPUP_SECRET_KEY_FILE: cannot read .*ENOENT/),
    );
    assert.ok(!existsSync(dataDir));
  });

  test('PostgreSQL without a key refuses to start and says how to give every node the same key', () => {
    const dataDir = folder();
    assert.throws(
      () => loadSecretKeyring({ dataDir, databaseUrl: 'postgres://db.example/stepup' }),
      isConfigError(/every node needs the same encryption key.*STEPUP_SECRET_KEY/),
    );
    assert.ok(!existsSync(dataDir), 'no key is made for one node only');
    const { keyring } = loadSecretKeyring({
      dataDir,
      databaseUrl: 'postgres://db.example/stepup',
      secretKey: KEY,
    });
    assert.deepEqual(keyring.keyIds, SecretKeyring.parse(KEY).keyIds);
  });

  test('a key that is not 32 bytes of base64 is refused by setting, without showing it', () => {
    const secretKey = 'dG9vLXNob3J0LWJ1dC1zZWNyZXQ';
    assert.throws(
      () => loadSecretKeyring({ dataDir: folder(), secretKey }),
      (error: Error) =>
        error instanceof ConfigError &&
        error.message.startsWith('Invalid setting STEPUP_SECRET_KEY:') &&
        !error.message.includes(secretKey),
    );
  });

  test('replaceKeyFile swaps the whole ring in one step and keeps the file 0600', () => {
    const dataDir = folder(0o700);
    const { file } = loadSecretKeyring({ dataDir });
    assert.ok(file);
    replaceKeyFile(file, `${OTHER_KEY}\n${KEY}`);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(
      loadSecretKeyring({ dataDir }).keyring.keyIds,
      SecretKeyring.parse(`${OTHER_KEY} ${KEY}`).keyIds,
    );
    assert.deepEqual(readdirSync(dataDir), [DATA_DIR_KEY_FILE_NAME]);
  });
});
