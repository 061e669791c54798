import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { base64url } from 'jose';
import { ActionSandbox } from '../sandbox/action-sandbox.ts';
import type { SandboxRequest } from '../sandbox/sandbox-protocol.ts';
import { verifyRedirectToken } from './redirect-token.ts';

const SECRET = 'profile-page-secret-0123456789abcdef';
const redirect = {
  issuer: 'https://id.example.com',
  subject: 'user-1',
  state: 'login-state-1',
  ip: '203.0.113.9',
  now: 1_700_000_000,
};

function request(code: string, overrides: Partial<SandboxRequest> = {}): SandboxRequest {
  return {
    mode: 'run',
    code,
    filename: 'redirect.js',
    eventJson: JSON.stringify({ user: { user_id: 'user-1' }, secrets: { PROFILE_SECRET: SECRET } }),
    limits: {
      timeoutMs: 2000,
      memoryLimitBytes: 16 * 2 ** 20,
      maxStackBytes: 256 * 1024,
      logLimitBytes: 4096,
    },
    redirect,
    ...overrides,
  };
}

function signed(claims: Record<string, unknown>): string {
  const input = `${base64url.encode('{"alg":"HS256","typ":"JWT"}')}.${base64url.encode(JSON.stringify(claims))}`;
  return `${input}.${base64url.encode(createHmac('sha256', SECRET).update(input).digest())}`;
}

let sandbox: ActionSandbox;
before(() => {
  sandbox = new ActionSandbox({ workers: 1, maxStackBytes: 256 * 1024 });
});
after(() => sandbox.close());

describe('api.redirect in the sandbox', () => {
  test('sendUserTo records the target with its query; encodeToken returns a token bound to the login', async () => {
    const result = await sandbox.run(
      request(`exports.onExecutePostLogin = async (event, api) => {
        const token = api.redirect.encodeToken({ secret: event.secrets.PROFILE_SECRET, expiresInSeconds: 60, payload: { step: 'profile' } });
        api.redirect.sendUserTo('https://profile.example.com/complete?lang=en', { query: { session_token: token } });
      };`),
    );
    assert.equal(result.failure, undefined);
    const [call] = result.calls;
    assert.equal(call?.method, 'redirect.sendUserTo');
    const url = new URL(call.method === 'redirect.sendUserTo' ? call.url : '');
    assert.equal(url.origin + url.pathname, 'https://profile.example.com/complete');
    assert.equal(url.searchParams.get('lang'), 'en');
    const verified = verifyRedirectToken(url.searchParams.get('session_token') ?? '', SECRET, redirect);
    assert.equal(verified.ok && JSON.stringify(verified.claims.other), '{"step":"profile"}');
  });

  const refusedTargets: [string, string][] = [
    ['javascript:', `'javascript:alert(1)'`],
    ['data:', `'data:text/html,hi'`],
    ['a relative path', `'/profile'`],
    ['plain http to another host', `'http://profile.example.com/'`],
    ['credentials in the URL', `'https://user:pass@profile.example.com/'`],
    ['state set by the Action', `'https://profile.example.com/', { query: { state: 'mine' } }`],
    ['an unknown option', `'https://profile.example.com/', { target: '_blank' }`],
  ];
  for (const [name, args] of refusedTargets) {
    test(`sendUserTo refuses ${name} (action_invalid_call)`, async () => {
      const result = await sandbox.run(
        request(`exports.onExecutePostLogin = async (event, api) => { api.redirect.sendUserTo(${args}); };`),
      );
      assert.equal(result.failure?.code, 'action_invalid_call');
      assert.deepEqual(result.calls, []);
    });
  }

  test('sendUserTo accepts plain http to localhost (development)', async () => {
    const result = await sandbox.run(
      request(
        `exports.onExecutePostLogin = async (event, api) => { api.redirect.sendUserTo('http://127.0.0.1:3000/p'); };`,
      ),
    );
    assert.equal(result.failure, undefined);
    assert.deepEqual(result.calls, [{ method: 'redirect.sendUserTo', url: 'http://127.0.0.1:3000/p' }]);
  });

  test('encodeToken refuses a secret shorter than 32 bytes, and a flow with no browser to redirect', async () => {
    const short = await sandbox.run(
      request(`exports.onExecutePostLogin = async (event, api) => {
        try { api.redirect.encodeToken({ secret: 'short', payload: {} }); } catch (e) {}
      };`),
    );
    assert.equal(short.failure?.code, 'action_invalid_call');
    const { redirect: _none, ...withoutRedirect } = request(
      `exports.onExecutePostLogin = async (event, api) => { api.redirect.sendUserTo('https://profile.example.com/'); };`,
    );
    const silent = await sandbox.run(withoutRedirect);
    assert.equal(silent.failure?.code, 'action_invalid_call');
  });

  test('onContinuePostLogin runs with validateToken reading the token the external site sent back', async () => {
    const token = signed({
      iss: redirect.issuer,
      sub: 'user-1',
      state: redirect.state,
      exp: redirect.now + 30,
      color: 'teal',
    });
    const result = await sandbox.run(
      request(
        `exports.onExecutePostLogin = async () => {};
        exports.onContinuePostLogin = async (event, api) => {
          const payload = api.redirect.validateToken({ secret: event.secrets.PROFILE_SECRET, tokenParameterName: 'profile_token' });
          api.user.setUserMetadata('color', payload.color);
        };`,
        { entry: 'onContinuePostLogin', continueParams: { state: redirect.state, profile_token: token } },
      ),
    );
    assert.equal(result.failure, undefined);
    assert.deepEqual(result.calls, [{ method: 'user.setUserMetadata', key: 'color', value: 'teal' }]);
  });

  test('a token of another login fails the execution even when the script catches the error', async () => {
    const token = signed({
      iss: redirect.issuer,
      sub: 'user-1',
      state: 'another-login',
      exp: redirect.now + 30,
    });
    const result = await sandbox.run(
      request(
        `exports.onExecutePostLogin = async () => {};
        exports.onContinuePostLogin = async (event, api) => {
          try { api.redirect.validateToken({ secret: event.secrets.PROFILE_SECRET }); } catch (e) {}
          api.user.setUserMetadata('verified', true);
        };`,
        { entry: 'onContinuePostLogin', continueParams: { state: redirect.state, session_token: token } },
      ),
    );
    assert.equal(result.failure?.code, 'action_invalid_token');
    assert.deepEqual(result.calls, []);
  });

  test('validateToken is for onContinuePostLogin only; a missing onContinuePostLogin is invalid', async () => {
    const early = await sandbox.run(
      request(
        `exports.onExecutePostLogin = async (event, api) => { api.redirect.validateToken({ secret: event.secrets.PROFILE_SECRET }); };`,
      ),
    );
    assert.equal(early.failure?.code, 'action_invalid_call');
    const missing = await sandbox.run(
      request(`exports.onExecutePostLogin = async () => {};`, {
        entry: 'onContinuePostLogin',
        continueParams: { state: redirect.state },
      }),
    );
    assert.equal(missing.failure?.code, 'action_invalid');
  });
});
