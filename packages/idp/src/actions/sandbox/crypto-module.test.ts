import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ActionSandbox } from './action-sandbox.ts';
import type { SandboxRequest } from './sandbox-protocol.ts';

/** Runs `body` (with `crypto` required) and returns what it logged. */
function request(body: string, moduleName = 'crypto'): SandboxRequest {
  return {
    mode: 'run',
    code: `const crypto = require('${moduleName}');\nexports.onExecutePostLogin = async (event, api) => {\n${body}\n};`,
    filename: 'crypto.js',
    eventJson: JSON.stringify({ secrets: { KEY: 'shh' } }),
    limits: {
      timeoutMs: 3000,
      memoryLimitBytes: 16 * 2 ** 20,
      maxStackBytes: 256 * 1024,
      logLimitBytes: 8192,
    },
  };
}

let sandbox: ActionSandbox;
before(() => {
  sandbox = new ActionSandbox({ workers: 1, maxStackBytes: 256 * 1024 });
});
after(() => sandbox.close());

describe("require('crypto') inside the sandbox", () => {
  test('hashes and HMACs match Node for the digests and encodings Auth0 patterns use', async () => {
    const result = await sandbox.run(
      request(`
      console.log(crypto.createHash('sha256').update('héllo').digest('hex'));
      console.log(crypto.createHash('sha1').update('a').update('b').digest('base64'));
      console.log(crypto.createHash('md5').update('6869', 'hex').digest('hex'));
      console.log(crypto.createHmac('sha256', event.secrets.KEY).update('payload').digest('hex'));
      console.log(crypto.createHmac('sha256', 'k').update('p').digest('base64url'));
      const bytes = crypto.createHash('sha256').update('x').digest();
      console.log(bytes instanceof Uint8Array, bytes.length);`),
    );
    assert.equal(result.failure, undefined, JSON.stringify(result.failure));
    assert.deepEqual(result.logs, [
      `log: ${createHash('sha256').update('héllo').digest('hex')}`,
      `log: ${createHash('sha1').update('ab').digest('base64')}`,
      `log: ${createHash('md5').update('hi').digest('hex')}`,
      `log: ${createHmac('sha256', 'shh').update('payload').digest('hex')}`,
      `log: ${createHmac('sha256', 'k').update('p').digest('base64url')}`,
      'log: true 32',
    ]);
  });

  test('random bytes and UUIDs come from the host, timingSafeEqual compares bytes', async () => {
    const result = await sandbox.run(
      request(
        `
      const a = crypto.randomBytes(16), b = crypto.randomBytes(16);
      console.log(a.length, a instanceof Uint8Array, a.join() !== b.join());
      console.log(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(crypto.randomUUID()));
      const mac = (text) => crypto.createHmac('sha256', 'k').update(text).digest();
      console.log(crypto.timingSafeEqual(mac('x'), mac('x')), crypto.timingSafeEqual(mac('x'), mac('y')));
      try { crypto.timingSafeEqual(mac('x'), a); } catch (error) { console.log(error.name); }`,
        'node:crypto',
      ),
    );
    assert.equal(result.failure, undefined, JSON.stringify(result.failure));
    assert.deepEqual(result.logs, ['log: 16 true true', 'log: true', 'log: true false', 'log: RangeError']);
  });

  test('an unknown digest fails the execution, naming the allowed ones', async () => {
    const result = await sandbox.run(
      request("try { crypto.createHash('whirlpool').update('x').digest('hex'); } catch (e) {}"),
    );
    assert.equal(result.failure?.code, 'action_invalid_call');
    assert.match(result.failure?.detail ?? '', /"whirlpool" is not one of sha256, sha1, md5/);
  });

  test('another module is still refused at run time, naming the allow-list', async () => {
    const result = await sandbox.run(request('', 'fs'));
    assert.equal(result.failure?.code, 'action_module_unavailable');
    assert.match(result.failure?.detail ?? '', /require\("fs"\): Actions can load only crypto/);
  });
});
