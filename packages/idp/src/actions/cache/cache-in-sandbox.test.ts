import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ActionSandbox } from '../sandbox/action-sandbox.ts';
import type { SandboxRequest } from '../sandbox/sandbox-protocol.ts';
import { CACHE_DEFAULT_TTL_MS, CACHE_MAX_TTL_MS } from './cache-limits.ts';

const NOW = 1_700_000_000_000;

function request(
  code: string,
  entries: Record<string, { value: string; expires_at: number }> = {},
): SandboxRequest {
  return {
    mode: 'run',
    code,
    filename: 'cache.js',
    eventJson: '{}',
    limits: {
      timeoutMs: 2000,
      memoryLimitBytes: 16 * 2 ** 20,
      maxStackBytes: 256 * 1024,
      logLimitBytes: 4096,
    },
    cache: { now: NOW, entries },
  };
}

let sandbox: ActionSandbox;
before(() => {
  sandbox = new ActionSandbox({ workers: 1, maxStackBytes: 256 * 1024 });
});
after(() => sandbox.close());

describe('api.cache in the sandbox', () => {
  test('get answers synchronously from the entries fetched before the run, as Auth0 scripts use it', async () => {
    const result = await sandbox.run(
      request(
        `exports.onExecutePostLogin = async (event, api) => {
          const hit = api.cache.get('token');
          if (hit) api.idToken.setCustomClaim('https://example.test/cached', hit.value + '@' + hit.expires_at);
          if (api.cache.get('absent') === undefined) api.idToken.setCustomClaim('https://example.test/miss', true);
        };`,
        { token: { value: 'abc', expires_at: NOW + 1000 } },
      ),
    );
    assert.equal(result.failure, undefined);
    assert.deepEqual(result.calls, [
      { method: 'idToken.setCustomClaim', name: 'https://example.test/cached', value: `abc@${NOW + 1000}` },
      { method: 'idToken.setCustomClaim', name: 'https://example.test/miss', value: true },
    ]);
  });

  test('set and delete return success, are seen by later gets, and are recorded for the host to write', async () => {
    const result = await sandbox.run(
      request(
        `exports.onExecutePostLogin = async (event, api) => {
          const set = api.cache.set('a', '1');
          const ttl = api.cache.set('b', '2', { ttl: 60000 });
          const gone = api.cache.delete('old');
          api.idToken.setCustomClaim('https://example.test/r', [set.type, ttl.type, gone.type, api.cache.get('a').value, api.cache.get('old') === undefined]);
        };`,
        { old: { value: 'x', expires_at: NOW + 1000 } },
      ),
    );
    assert.equal(result.failure, undefined);
    assert.deepEqual(result.calls, [
      { method: 'cache.set', key: 'a', value: '1', expiresAt: NOW + CACHE_DEFAULT_TTL_MS },
      { method: 'cache.set', key: 'b', value: '2', expiresAt: NOW + 60000 },
      { method: 'cache.delete', key: 'old' },
      {
        method: 'idToken.setCustomClaim',
        name: 'https://example.test/r',
        value: ['success', 'success', 'success', '1', true],
      },
    ]);
  });

  test('limits: a too long key or value, or too many entries, is an error result and is not recorded', async () => {
    const result = await sandbox.run(
      request(`exports.onExecutePostLogin = async (event, api) => {
        const codes = [
          api.cache.set('k'.repeat(65), 'v').code,
          api.cache.set('big', 'v'.repeat(4097)).code,
        ];
        for (let i = 0; i < 20; i++) api.cache.set('key' + i, 'v');
        codes.push(api.cache.set('one-too-many', 'v').code);
        api.idToken.setCustomClaim('https://example.test/codes', codes);
      };`),
    );
    assert.equal(result.failure, undefined);
    assert.equal(result.calls.filter((call) => call.method === 'cache.set').length, 20);
    assert.deepEqual(result.calls.at(-1), {
      method: 'idToken.setCustomClaim',
      name: 'https://example.test/codes',
      value: ['key_too_long', 'value_too_long', 'cache_full'],
    });
  });

  test('a ttl beyond the maximum is capped; a value that is not a string fails the execution', async () => {
    const capped = await sandbox.run(
      request(
        `exports.onExecutePostLogin = async (event, api) => { api.cache.set('a', 'b', { ttl: 1e12 }); };`,
      ),
    );
    assert.deepEqual(capped.calls, [
      { method: 'cache.set', key: 'a', value: 'b', expiresAt: NOW + CACHE_MAX_TTL_MS },
    ]);
    const wrong = await sandbox.run(
      request(
        `exports.onExecutePostLogin = async (event, api) => { api.cache.set('a', { no: 'objects' }); };`,
      ),
    );
    assert.equal(wrong.failure?.code, 'action_invalid_call');
  });
});
