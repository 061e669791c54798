import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { SEED_ACTION } from '../../actions/testing/actions-fixture.ts';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.ts';
import { runCli } from '../run-cli.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'stepup-actions-cli-'));
const env = {
  STEPUP_DATA_DIR: dataDir,
  FROM_ENV: 'value-from-environment',
  STEPUP_CONFIG: join(dataDir, 'config.json'),
};
writeFileSync(env.STEPUP_CONFIG, JSON.stringify({ actions: { timeoutMs: 3000 } }));
const file = (name: string, text: string) => {
  const path = join(dataDir, name);
  writeFileSync(path, text);
  return path;
};

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (line) => out.push(line), env }, (line) => err.push(line));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('stepup-idp actions', () => {
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test('deploy, list, show, disable, enable, order and test', async () => {
    const seed = file('step-up.js', SEED_ACTION);
    const deployed = await cli(
      'actions',
      'deploy',
      seed,
      '--trigger',
      'post-login',
      '--secret',
      'API_KEY=sk_live_cli_secret',
      '--secret',
      'FROM_ENV',
    );
    assert.equal(deployed.code, 0, deployed.err);
    assert.match(deployed.out, /deployed Action step-up version 1 \(post-login, enabled, position 1\)/);
    assert.match(deployed.out, /secrets: API_KEY, FROM_ENV/);
    const again = await cli('actions', 'deploy', seed, '--trigger', 'post-login');
    assert.match(again.out, /Action step-up is unchanged at version 1/);
    const other = file(
      'other.js',
      'exports.onExecutePostLogin = async (event) => { console.log(event.secrets.X); };',
    );
    assert.equal(
      (await cli('actions', 'deploy', other, '--trigger', 'post-login', '--name', 'audit', '--disabled'))
        .code,
      0,
    );

    const listed = await cli('actions', 'list');
    assert.equal(listed.code, 0);
    assert.match(listed.out, /1 {3}step-up\s+post-login\s+enabled\s+1/);
    assert.match(listed.out, /2 {3}audit\s+post-login\s+disabled\s+1/);

    const shown = await cli('actions', 'show', 'step-up');
    assert.equal(shown.code, 0);
    assert.match(shown.out, /secrets {3}API_KEY, FROM_ENV/);
    assert.match(shown.out, /CLIENTS_WITH_MFA = \['salary'\]/);
    assert.equal(shown.out.includes('sk_live_cli_secret'), false);
    assert.equal(shown.out.includes('value-from-environment'), false);

    assert.equal((await cli('actions', 'enable', 'audit')).code, 0);
    assert.equal((await cli('actions', 'disable', 'step-up')).code, 0);
    const ordered = await cli('actions', 'order', 'audit', 'step-up');
    assert.match(ordered.out, /run in this order: audit, step-up/);

    const tested = await cli('actions', 'test', 'step-up');
    assert.equal(tested.code, 0, tested.err);
    assert.match(tested.out, /outcome {3}succeeded/);
    assert.match(tested.out, /multifactor\.enable\(any, allowRememberBrowser=false\)/);
    const payroll = await cli(
      'actions',
      'test',
      'step-up',
      '--event',
      file('payroll.json', JSON.stringify({ client: { client_id: 'payroll' } })),
    );
    assert.match(payroll.out, /api calls \(0\)/);

    const store = await openSqliteStore({ dataDir });
    try {
      const stored = await store.actions.find('step-up');
      assert.deepEqual(stored?.secretNames, ['API_KEY', 'FROM_ENV']);
      assert.equal(stored?.sealedSecrets?.includes('sk_live_cli_secret'), false);
      assert.deepEqual(
        (await store.actions.list()).map((action) => [action.name, action.enabled]),
        [
          ['audit', true],
          ['step-up', false],
        ],
      );
    } finally {
      await store.close();
    }
  });

  const refused: [string, string[], RegExp][] = [
    ['a deploy without --trigger', ['actions', 'deploy', 'x.js'], /--trigger is required/],
    [
      'a file that does not exist',
      ['actions', 'deploy', join(dataDir, 'nope.js'), '--trigger', 'post-login'],
      /cannot read/,
    ],
    [
      'another trigger',
      ['actions', 'deploy', join(dataDir, 'step-up.js'), '--trigger', 'pre-login'],
      /post-login/,
    ],
    [
      'a secret with no value',
      ['actions', 'deploy', join(dataDir, 'step-up.js'), '--trigger', 'post-login', '--secret', 'MISSING'],
      /no value/,
    ],
    [
      'an Action that requires a module outside the allow-list, naming it and its line',
      [
        'actions',
        'deploy',
        file('reads-files.js', "exports.onExecutePostLogin = async () => {\n  require('fs');\n};"),
        '--trigger',
        'post-login',
      ],
      /line 2: require\("fs"\): Actions can load only crypto/,
    ],
    ['showing an unknown Action', ['actions', 'show', 'nope'], /no Action named "nope"/],
    ['enabling an unknown Action', ['actions', 'enable', 'nope'], /no Action named "nope"/],
    ['an order naming an unknown Action', ['actions', 'order', 'ghost'], /ghost/],
    ['an order with an option', ['actions', 'order', '--all'], /all/],
    [
      'a sample event that is not JSON',
      ['actions', 'test', 'step-up', '--event', join(dataDir, 'step-up.js')],
      /--event/,
    ],
  ];
  for (const [name, argv, message] of refused) {
    test(`refuses ${name} with exit code 2`, async () => {
      const result = await cli(...argv);
      assert.equal(result.code, 2, result.out);
      assert.match(result.err, message);
    });
  }
});
