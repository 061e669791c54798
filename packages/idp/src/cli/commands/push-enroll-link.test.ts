import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { enrollDevice } from '../../authenticator/enroll-device.ts';
import { startTestProvider, type TestProvider } from '../../testing/test-provider.ts';
import { runCli } from '../run-cli.ts';

describe('stepup-idp push enroll-link', () => {
  let idp: TestProvider;
  before(async () => {
    idp = await startTestProvider();
  });
  after(() => idp.close());

  async function cli(...argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const env = { STEPUP_DATA_DIR: idp.dataDir, STEPUP_ISSUER: idp.issuer };
    const code = await runCli(argv, { out: (line) => out.push(line), env }, (line) => err.push(line));
    return { code, out, err: err.join('\n') };
  }

  test('prints a link that enrolls one device, once', async () => {
    const dora = await idp.addUser('dora', 'dora password');
    const result = await cli('push', 'enroll-link', 'dora');
    assert.equal(result.code, 0, result.err);
    const [link = ''] = result.out;
    assert.match(link, new RegExp(`^${idp.issuer}/authenticator#`));
    const device = await enrollDevice(link, 'Dora’s phone');
    assert.equal(device.name, 'Dora’s phone');
    const devices = await idp.stepup.store.pushDevices.listForUser(dora.id);
    assert.deepEqual(
      devices.map((each) => each.name),
      ['Dora’s phone'],
    );
    await assert.rejects(enrollDevice(link, 'Second try'));
    assert.equal((await idp.stepup.store.pushDevices.listForUser(dora.id)).length, 1);
  });

  test('an unknown user or a missing name is a usage error (exit code 2)', async () => {
    const unknown = await cli('push', 'enroll-link', 'nobody');
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /no user "nobody"/);
    assert.equal((await cli('push', 'enroll-link')).code, 2);
  });
});
