import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ACR_MULTI_FACTOR } from '@stepup/core';
import {
  type DeviceStreamEvent,
  listenForChallenges,
} from '../packages/idp/src/authenticator/listen-for-challenges.ts';
import { respondToChallenge } from '../packages/idp/src/authenticator/respond-to-challenge.ts';
import { PUSH_DEVICE_PATHS } from '../packages/idp/src/factors/push/push-protocol.ts';
import { totpCodeAt } from '../packages/idp/src/factors/totp/totp.ts';
import { PROVIDER_ROUTES } from '../packages/idp/src/oidc/provider-routes.ts';
import { postTokenRequest } from '../packages/idp/src/testing/post-token-request.ts';
import { createPostgresTestDatabase } from '../packages/idp/src/testing/postgres-test-database.ts';
import { firstEvent, loginToSecondFactor, readPushPage } from '../packages/idp/src/testing/push-login.ts';
import { connectRedisForTests } from '../packages/idp/src/testing/redis-test-connection.ts';
import { formAction, hiddenField } from '../packages/idp/src/testing/test-browser.ts';
import {
  expectCallback,
  expectPage,
  submitPassword,
  submitTotp,
  TestRelyingParty,
} from '../packages/idp/src/testing/test-relying-party.ts';
import { type ProviderCluster, startProviderCluster } from './support/provider-cluster.ts';

// Two provider processes over one PostgreSQL database and one Redis, behind a round-robin proxy:
// any node serves any request. They run from the package's start command, as a deployment does.

const PASSWORD = 'correct horse battery';
const CLIENT_SECRET = 'multi-node-client-secret-0123456789abcdef';
const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
// OIDC Core 11: offline_access is honoured only together with prompt=consent.
const OFFLINE = { scope: 'openid offline_access', prompt: 'consent' };
const now = () => Math.floor(Date.now() / 1000);

const postgres = await createPostgresTestDatabase();
const redis = await connectRedisForTests();

if (postgres.skip !== undefined || redis.skip !== undefined) {
  describe('several provider nodes', { skip: postgres.skip ?? redis.skip }, () => {});
} else {
  const { database } = postgres;
  const keySpace = redis.redis;

  describe('several provider nodes', () => {
    let cluster: ProviderCluster;

    before(async () => {
      cluster = await startProviderCluster({
        databaseUrl: database.url,
        redisUrl: keySpace.url,
        redisKeyPrefix: keySpace.newKeyPrefix(),
        nodes: 2,
      });
      await cluster.addClient({ client_id: 'app', client_secret: CLIENT_SECRET, client_name: 'App' });
    });
    after(async () => {
      await cluster?.close();
      await keySpace.cleanup();
      await database.drop();
    });

    const app = () => TestRelyingParty.discover(cluster.issuer, 'app', { client_secret: CLIENT_SECRET });
    const servedSince = (mark: number) => cluster.proxy.served.slice(mark);
    const nodesOf = (served: { node: number }[]) => served.map((request) => request.node);

    const postToken = (body: Record<string, string>) =>
      postTokenRequest(cluster.issuer, { client_id: 'app', client_secret: CLIENT_SECRET }, body);

    test('nodes started together over an empty database publish one set of signing keys', async () => {
      const [first, second] = await Promise.all(
        cluster.nodes.map(async (node) => (await fetch(`${node.url}${PROVIDER_ROUTES.jwks}`)).json()),
      );
      assert.equal((first as { keys: unknown[] }).keys.length, 3);
      assert.deepEqual(second, first);
    });

    test('a password + TOTP step-up login succeeds with every request on the other node than the one before', async () => {
      const alice = await cluster.addUser('alice', PASSWORD);
      await cluster.importTotp(alice.id, TOTP_SECRET);
      const rp = await app();
      const mark = cluster.proxy.served.length;
      const pending = await rp.authorizationUrl({ acr_values: ACR_MULTI_FACTOR });
      const login = expectPage(await rp.open(pending));
      const totpPage = expectPage(await submitPassword(rp.browser, login.html, 'alice', PASSWORD));
      assert.match(totpPage.html, /name="code"/);
      const callback = expectCallback(
        await submitTotp(rp.browser, totpPage.html, totpCodeAt(TOTP_SECRET, now())),
      );
      const tokens = await rp.redeem(callback, pending);

      assert.equal(tokens.claims()?.acr, ACR_MULTI_FACTOR);
      assert.deepEqual(tokens.claims()?.amr, ['mfa', 'otp', 'pwd']);
      assert.equal(tokens.claims()?.sub, alice.id);
      const served = nodesOf(servedSince(mark));
      assert.ok(served.length >= 6, `the flow took ${served.length} requests`);
      assert.deepEqual(
        served,
        served.map((_, i) => (served[0] === 0 ? i % 2 : (i + 1) % 2)),
        'the nodes alternate on every request',
      );
    });

    test('a push approved through one node completes the login waiting on the other, and reaches the device streams on both', async () => {
      const bob = await cluster.addUser('bob', PASSWORD);
      const device = await cluster.enrollDevice(bob.id);
      const mark = cluster.proxy.served.length;
      const streams = [listenForChallenges(device), listenForChallenges(device)];
      for (const stream of streams) assert.deepEqual((await stream.next()).value, { type: 'ready' });
      const streamNodes = nodesOf(
        servedSince(mark).filter((r) => r.path.startsWith(PUSH_DEVICE_PATHS.stream)),
      );
      assert.deepEqual(streamNodes.sort(), [0, 1], 'one device stream on each node');

      const rp = await app();
      const { pending, page } = await loginToSecondFactor(rp, 'bob', PASSWORD);
      const push = readPushPage(page);
      const arrivals = (await Promise.all(streams.map((stream) => stream.next()))).map(
        (result) => result.value as DeviceStreamEvent,
      );
      const [arrived] = arrivals;
      assert.equal(arrived?.type, 'challenge');
      if (arrived?.type !== 'challenge') return;
      assert.deepEqual(arrivals[1], arrived, 'both streams hear of the request');

      const waiting = await firstEvent(rp.browser, push.eventsUrl);
      assert.equal(waiting.status, 200);
      assert.deepEqual(
        await respondToChallenge(
          device,
          arrived.challenge.id,
          { decision: 'approve', number: push.number },
          // The nonce from the stream: one request, so it goes to the node after the waiting page's.
          { nonce: arrived.challenge.nonce },
        ),
        { id: arrived.challenge.id, status: 'approved' },
      );
      const waitedOn = servedSince(mark).find((r) => r.path === push.eventsUrl)?.node;
      const answeredOn = servedSince(mark).find((r) => r.path.includes('/response'))?.node;
      assert.notEqual(waitedOn, undefined);
      assert.notEqual(answeredOn, waitedOn, 'the answer went through the other node');
      assert.equal(await waiting.event, 'changed', 'the approval wakes the page on the other node');
      for (const stream of streams) {
        assert.deepEqual((await stream.next()).value, {
          type: 'resolved',
          id: arrived.challenge.id,
          status: 'approved',
        });
        await stream.return(undefined);
      }

      const tokens = await rp.redeem(expectCallback(await rp.browser.navigate(push.nextUrl)), pending);
      assert.equal(tokens.claims()?.acr, ACR_MULTI_FACTOR);
      assert.deepEqual(tokens.claims()?.amr, ['mfa', 'pwd', 'swk']);
    });

    test('a login cancelled on one node withdraws its push request from the device streams on both, and a late approval gets login_ended', async () => {
      const erin = await cluster.addUser('erin', PASSWORD);
      const device = await cluster.enrollDevice(erin.id);
      const mark = cluster.proxy.served.length;
      const streams = [listenForChallenges(device), listenForChallenges(device)];
      for (const stream of streams) assert.deepEqual((await stream.next()).value, { type: 'ready' });
      const streamNodes = nodesOf(
        servedSince(mark).filter((r) => r.path.startsWith(PUSH_DEVICE_PATHS.stream)),
      );
      assert.deepEqual(streamNodes.sort(), [0, 1], 'one device stream on each node');

      const rp = await app();
      const { page } = await loginToSecondFactor(rp, 'erin', PASSWORD);
      const push = readPushPage(page);
      const arrivals = await Promise.all(streams.map((stream) => stream.next()));
      const arrived = arrivals[0]?.value as DeviceStreamEvent;
      assert.equal(arrived.type, 'challenge');
      if (arrived.type !== 'challenge') return;

      const cancelled = await rp.browser.navigate(formAction(push.html, '/cancel'), {
        form: { csrf: hiddenField(push.html, 'csrf') },
      });
      assert.equal(expectCallback(cancelled).searchParams.get('error'), 'unmet_authentication_requirements');
      for (const stream of streams) {
        assert.deepEqual((await stream.next()).value, {
          type: 'resolved',
          id: arrived.challenge.id,
          status: 'withdrawn',
        });
        await stream.return(undefined);
      }
      await assert.rejects(
        respondToChallenge(
          device,
          arrived.challenge.id,
          { decision: 'approve', number: push.number },
          { nonce: arrived.challenge.nonce },
        ),
        { code: 'login_ended', status: 410 },
      );
    });

    test('a node killed with SIGKILL mid-login: the login completes on the other', async () => {
      const carol = await cluster.addUser('carol', PASSWORD);
      await cluster.importTotp(carol.id, TOTP_SECRET);
      const rp = await app();
      const pending = await rp.authorizationUrl({ acr_values: ACR_MULTI_FACTOR });
      const login = expectPage(await rp.open(pending));
      const totpPage = expectPage(await submitPassword(rp.browser, login.html, 'carol', PASSWORD));

      await cluster.nodes[0]?.stop('SIGKILL');
      const mark = cluster.proxy.served.length;
      const callback = expectCallback(
        await submitTotp(rp.browser, totpPage.html, totpCodeAt(TOTP_SECRET, now())),
      );
      const tokens = await rp.redeem(callback, pending);
      assert.equal(tokens.claims()?.sub, carol.id);
      assert.deepEqual(tokens.claims()?.amr, ['mfa', 'otp', 'pwd']);
      const served = nodesOf(servedSince(mark));
      assert.ok(served.length >= 3);
      assert.deepEqual(new Set(served), new Set([1]), 'only the surviving node served');

      await cluster.restartNode(0);
      const afterRestart = cluster.proxy.served.length;
      await app();
      await app();
      assert.deepEqual(
        new Set(nodesOf(servedSince(afterRestart))),
        new Set([0, 1]),
        'the new node serves again',
      );
    });

    test('one refresh token used on both nodes at once, within its reuse interval: every use succeeds', async () => {
      await cluster.addUser('dave', PASSWORD);
      const rp = await app();
      const pending = await rp.authorizationUrl(OFFLINE);
      const login = expectPage(await rp.open(pending));
      const callback = expectCallback(await submitPassword(rp.browser, login.html, 'dave', PASSWORD));
      const { refresh_token } = await rp.redeem(callback, pending);
      assert.ok(refresh_token);

      const mark = cluster.proxy.served.length;
      const results = await Promise.all(
        Array.from({ length: 10 }, () => postToken({ grant_type: 'refresh_token', refresh_token })),
      );
      assert.deepEqual(new Set(nodesOf(servedSince(mark))), new Set([0, 1]), 'both nodes took requests');
      // A retry of a refresh whose answer was lost (refreshTokenReuseIntervalSeconds, 10 s by default)
      // must not end the session, whichever node it reaches; the grant stays.
      assert.deepEqual(
        results.map((result) => result.status),
        results.map(() => 200),
      );
      const next = await postToken({
        grant_type: 'refresh_token',
        refresh_token: String(results[9]?.body.refresh_token),
      });
      assert.equal(next.status, 200);
    });
  });
}
