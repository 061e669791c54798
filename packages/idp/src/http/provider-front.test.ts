import assert from 'node:assert/strict';
import { type AddressInfo, connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { currentRequestIp } from '../log/request-ip-context.ts';
import { clientAddressOf } from './client-address.ts';
import { createProviderFront } from './provider-front.ts';
import { securityHeaders } from './security-headers.ts';

describe('the front server: oidc-provider’s paths without Fastify', () => {
  const served: { by: string; path: string; ip: string | undefined }[] = [];
  const server = createProviderFront(
    (request, response) => {
      served.push({ by: 'fastify', path: request.url ?? '', ip: currentRequestIp() });
      response.end('fastify');
    },
    () => ({
      serveProvider: (request, response) => {
        served.push({ by: 'provider', path: request.url ?? '', ip: currentRequestIp() });
        response.end('provider');
      },
      // The socket's peer (loopback here) is the one trusted proxy.
      clientAddress: clientAddressOf(['loopback']),
      headers: securityHeaders({ https: true }),
    }),
  );
  let base = '';
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('a protocol path goes to oidc-provider with the security headers and the client address the proxy saw', async () => {
    served.length = 0;
    const response = await fetch(`${base}/.well-known/openid-configuration?x=1`, {
      headers: { 'x-forwarded-for': '198.51.100.9, 203.0.113.7' },
    });
    assert.equal(await response.text(), 'provider');
    assert.deepEqual(served, [
      { by: 'provider', path: '/.well-known/openid-configuration?x=1', ip: '203.0.113.7' },
    ]);
    assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    assert.match(response.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    assert.equal(response.headers.get('strict-transport-security'), 'max-age=31536000; includeSubDomains');
    assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(response.headers.get('cross-origin-embedder-policy'), null);
  });

  test('every other path goes to Fastify, which sets its own headers and address', async () => {
    served.length = 0;
    for (const path of ['/interaction/abc', '/account', '/oauth-lookalike', '/']) {
      assert.equal(await (await fetch(`${base}${path}`)).text(), 'fastify');
    }
    assert.deepEqual(
      served.map(({ by, path, ip }) => ({ by, path, ip })),
      ['/interaction/abc', '/account', '/oauth-lookalike', '/'].map((path) => ({
        by: 'fastify',
        path,
        ip: undefined,
      })),
    );
  });

  test('a request target that is not a URL goes to Fastify and leaves the server serving', async () => {
    served.length = 0;
    const { port } = server.address() as AddressInfo;
    const answer = await new Promise<string>((resolve, reject) => {
      let text = '';
      const socket = connect(port, '127.0.0.1', () =>
        socket.write('GET http://[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
      );
      socket.on('data', (chunk) => {
        text += String(chunk);
      });
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    assert.match(answer, /^HTTP\/1\.1 200/);
    assert.deepEqual(served, [{ by: 'fastify', path: 'http://[', ip: undefined }]);
    assert.equal(await (await fetch(`${base}/.well-known/openid-configuration`)).text(), 'provider');
  });

  test('without a trusted proxy the address is the socket’s peer, whatever X-Forwarded-For says', async () => {
    const address = clientAddressOf(false);
    const request = { socket: { remoteAddress: '192.0.2.4' }, headers: { 'x-forwarded-for': '10.0.0.1' } };
    assert.equal(address(request as never), '192.0.2.4');
    const trustAll = clientAddressOf(true);
    assert.equal(trustAll(request as never), '10.0.0.1');
  });
});

test('the security headers come out of helmet once, with HSTS only for an https issuer', () => {
  const http = new Map(securityHeaders({ https: false }));
  const https = new Map(securityHeaders({ https: true }));
  assert.equal(http.get('strict-transport-security'), undefined);
  assert.equal(https.get('strict-transport-security'), 'max-age=31536000; includeSubDomains');
  assert.equal(
    http.get('content-security-policy'),
    "default-src 'none';style-src 'self';script-src 'self';connect-src 'self';manifest-src 'self';img-src 'self' data:;frame-ancestors 'none';base-uri 'none'",
  );
  assert.equal(http.get('x-frame-options'), 'SAMEORIGIN');
});
