/**
 * Load: silent-authentication flows per second (authorize with `prompt=none` → code → token) and
 * token-endpoint requests per second (rotating refresh tokens), with p50/p99 latency, for Stepup
 * and for a bare `oidc-provider` over the same storage (bench/load/bare-provider.ts), on 1 and 2
 * nodes (2 behind a round-robin proxy on 127.0.0.1), over SQLite and PostgreSQL.
 *
 *   npm run bench:load          (SECONDS=8 CONCURRENCY=16 ROUNDS=3 by default; STORAGES=sqlite,postgres;
 *                                NODES=1,2; BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres;
 *                                STEPUP_DATABASE_POOL_MAX sizes the pool of every node, bare or not)
 *
 * The load generator runs on the same machine as the nodes, so the figures are for comparison
 * within one run, not capacity planning.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { exportJWK, generateKeyPair } from 'jose';
import pg from 'pg';
import { startRoundRobinProxy } from '../e2e/support/round-robin-proxy.ts';
import { hashPassword } from '../packages/idp/src/accounts/password-hashing.ts';
import { loadConfig } from '../packages/idp/src/config/load-config.ts';
import { openStore } from '../packages/idp/src/store/open-store.ts';
import { TEST_REDIRECT_URI } from '../packages/idp/src/testing/test-provider.ts';
import { raisedThrottlesConfig } from './load/raised-throttles.ts';
import {
  type BenchClient,
  type LoadResult,
  redeemCode,
  runLoad,
  signIn,
  silentFlow,
  tokenRequest,
} from './load/relying-party-load.ts';

const SECONDS = Number(process.env.SECONDS ?? 8);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 16);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const STORAGES = (process.env.STORAGES ?? 'sqlite,postgres').split(',') as Array<'sqlite' | 'postgres'>;
const NODE_COUNTS = (process.env.NODES ?? '1,2').split(',').map(Number);
const SERVER_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const BASE_PORT = Number(process.env.BENCH_PORT ?? 3930);

const client: BenchClient = { clientId: 'bench', secret: 'bench-client-secret-0123456789abcdef' };
const account = { username: 'bench', password: 'bench password 1' };
type Server = 'stepup' | 'bare';

interface Storage {
  env: Record<string, string>;
  drop(): Promise<void>;
}

async function freshStorage(kind: 'sqlite' | 'postgres'): Promise<Storage> {
  if (kind === 'sqlite') {
    const dataDir = mkdtempSync(join(tmpdir(), 'stepup-load-'));
    return {
      env: { STEPUP_DATA_DIR: dataDir, ...raisedThrottlesConfig(dataDir) },
      drop: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const name = `stepup_load_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: SERVER_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'stepup-load-'));
  return {
    env: { STEPUP_DATABASE_URL: url.href, STEPUP_DATA_DIR: dataDir, ...raisedThrottlesConfig(dataDir) },
    drop: async () => {
      const again = new pg.Client({ connectionString: SERVER_URL });
      await again.connect();
      await again.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await again.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Creates the bench account and client the way the CLI does; returns the account's id. */
async function seed(env: Record<string, string>): Promise<string> {
  const store = await openStore(loadConfig({ ...process.env, ...env }));
  try {
    const user = await store.users.create({
      username: account.username,
      passwordHash: await hashPassword(account.password),
      now: Math.floor(Date.now() / 1000),
    });
    await store.clients.upsert({
      client_id: client.clientId,
      client_secret: client.secret,
      redirect_uris: [TEST_REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
    });
    return user.id;
  } finally {
    await store.close();
  }
}

async function bareProviderKeys(): Promise<string> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: 'bench', alg: 'RS256', use: 'sig' };
  return JSON.stringify({ jwks: { keys: [jwk] }, cookieKeys: [randomBytes(32).toString('base64url')] });
}

function startNode(server: Server, port: number, env: Record<string, string>): ChildProcess {
  const entry =
    server === 'stepup' ? ['packages/idp/src/cli/main.ts', 'start'] : ['bench/load/bare-provider.ts'];
  return spawn(process.execPath, ['--conditions=stepup-source', '--import', 'tsx', ...entry], {
    env: {
      ...process.env,
      ...env,
      IDP_PORT: String(port),
      BENCH_PORT: String(port),
      STEPUP_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function waitUntilServing(port: number): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    const up = await fetch(`http://127.0.0.1:${port}/.well-known/openid-configuration`).then(
      (answer) => answer.ok,
      () => false,
    );
    if (up) return;
    await sleep(100);
  }
  throw new Error(`node on port ${port} did not start`);
}

async function measure(storageKind: 'sqlite' | 'postgres', nodeCount: number, server: Server) {
  const storage = await freshStorage(storageKind);
  const nodes: ChildProcess[] = [];
  const ports = Array.from({ length: nodeCount }, (_, i) => BASE_PORT + i);
  const proxy = nodeCount > 1 ? await startRoundRobinProxy(BASE_PORT + 10, () => ports) : undefined;
  try {
    const accountId = await seed(storage.env);
    const origin = proxy?.url ?? `http://localhost:${ports[0]}`;
    const env = {
      ...storage.env,
      STEPUP_ISSUER: origin,
      BENCH_ISSUER: origin,
      BENCH_ACCOUNT_ID: accountId,
      BENCH_PROVIDER_KEYS: await bareProviderKeys(),
    };
    // One after the other: the first node creates the signing and cookie keys the others load.
    for (const port of ports) {
      nodes.push(startNode(server, port, env));
      await waitUntilServing(port);
    }
    const sessions = await Promise.all(
      Array.from({ length: CONCURRENCY }, () => signIn(origin, client, account)),
    );
    const silent = await runLoad(
      sessions.map(
        ({ browser }) =>
          () =>
            silentFlow(origin, client, browser),
      ),
      SECONDS,
    );
    const chains = await Promise.all(
      sessions.map(async () => {
        const offline = await signIn(origin, client, account, {
          scope: 'openid offline_access',
          prompt: 'consent',
        });
        let refreshToken = String((await redeemCode(origin, client, offline.code)).refresh_token);
        return async () => {
          const next = await tokenRequest(origin, client, {
            grant_type: 'refresh_token',
            refresh_token: refreshToken,
          });
          refreshToken = String(next.refresh_token);
        };
      }),
    );
    const token = await runLoad(chains, SECONDS);
    return { storage: storageKind, nodes: nodeCount, server, silent, token };
  } finally {
    for (const node of nodes) node.kill('SIGTERM');
    await Promise.all(nodes.map((node) => new Promise((resolve) => node.once('exit', resolve))));
    await proxy?.close();
    await storage.drop();
  }
}

/** The median of each figure over the rounds (failures are summed). */
function median(results: LoadResult[]): LoadResult {
  const middle = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
  return {
    perSecond: middle(results.map((result) => result.perSecond)),
    p50: middle(results.map((result) => result.p50)),
    p99: middle(results.map((result) => result.p99)),
    failures: results.reduce((sum, result) => sum + result.failures, 0),
  };
}

const format = (result: LoadResult) =>
  `${result.perSecond.toFixed(0)} | ${result.p50.toFixed(1)} | ${result.p99.toFixed(1)}${result.failures ? ` (${result.failures} failed)` : ''}`;
const overhead = (ours: number, bare: number) => `${(((bare - ours) / bare) * 100).toFixed(0)}%`;

console.log(
  `node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, ` +
    `${CONCURRENCY} concurrent clients, ${SECONDS} s per measurement, median of ${ROUNDS} rounds ` +
    `(bare and Stepup alternating), pool ${process.env.STEPUP_DATABASE_POOL_MAX ?? 'default'}`,
);
console.log(
  '| storage | nodes | server | silent flows/s | p50 (ms) | p99 (ms) | token req/s | p50 (ms) | p99 (ms) |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const storageKind of STORAGES) {
  for (const nodeCount of NODE_COUNTS) {
    const rounds: Record<Server, Awaited<ReturnType<typeof measure>>[]> = { bare: [], stepup: [] };
    for (let round = 0; round < ROUNDS; round += 1) {
      const order: Server[] = round % 2 === 0 ? ['bare', 'stepup'] : ['stepup', 'bare'];
      for (const server of order) rounds[server].push(await measure(storageKind, nodeCount, server));
    }
    const summary = (server: Server) => ({
      silent: median(rounds[server].map((result) => result.silent)),
      token: median(rounds[server].map((result) => result.token)),
    });
    const bare = summary('bare');
    const ours = summary('stepup');
    console.log(
      `| ${storageKind} | ${nodeCount} | bare oidc-provider | ${format(bare.silent)} | ${format(bare.token)} |`,
    );
    console.log(
      `| ${storageKind} | ${nodeCount} | Stepup | ${format(ours.silent)} | ${format(ours.token)} |`,
    );
    console.log(
      `| ${storageKind} | ${nodeCount} | overhead | ${overhead(ours.silent.perSecond, bare.silent.perSecond)} | | | ` +
        `${overhead(ours.token.perSecond, bare.token.perSecond)} | | |`,
    );
  }
}
