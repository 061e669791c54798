import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadConfig } from '../../config/load-config.ts';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.ts';
import { CodeThrottle } from '../../throttle/code-throttle.ts';
import { runCli } from '../run-cli.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'stepup-cli-unlock-'));
const env = { STEPUP_DATA_DIR: dataDir };

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (line) => out.push(line), env }, (line) => err.push(line));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('stepup-idp user unlock', () => {
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test("clears a user's code lock and records it in the audit log", async () => {
    assert.equal((await cli('user', 'add', 'fumbler', '--password', 'fumbler pass 1')).code, 0);
    const config = loadConfig(env);
    const now = Math.floor(Date.now() / 1000);
    let store = await openSqliteStore({ dataDir });
    const userId = (await store.users.findByLogin('fumbler'))?.id ?? '';
    try {
      const codes = new CodeThrottle(store, config);
      for (let login = 0; login < 100; login += 1) {
        await codes.attempt({
          accountId: userId,
          interactionUid: `login-${login}`,
          now: now - 100 * 3600 + login * 3600,
        });
      }
      assert.equal((await codes.status(userId, now)).locked, true);
    } finally {
      await store.close();
    }

    const result = await cli('user', 'unlock', 'fumbler');
    assert.equal(result.code, 0, result.err);
    store = await openSqliteStore({ dataDir });
    try {
      assert.deepEqual(await new CodeThrottle(store, config).status(userId, now), {
        failures: 0,
        locked: false,
      });
      const events = await store.auditEvents.query(
        { type: 'admin.user.sign_in_lock_cleared' },
        { limit: 10 },
      );
      assert.deepEqual(
        events.events.map((event) => [event.userId, event.details]),
        [[userId, { password_failures: 0, code_failures: 100, via: 'cli' }]],
      );
    } finally {
      await store.close();
    }
    assert.equal((await cli('user', 'unlock', 'nobody')).code, 2);
  });
});
