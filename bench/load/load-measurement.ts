/**
 * One measurement of the load bench: a fresh store, the nodes of one server (Stepup from a given
 * checkout, or the bare oidc-provider of bench/load/bare-provider.ts), 16 signed-in clients, then
 * silent flows and token requests for SECONDS each. Shared by bench/load.ts and
 * bench/load-before-after.ts.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { exportJWK, generateKeyPair } from 'jose';
import pg from 'pg';
import { startRoundRobinProxy } from '../../e2e/support/round-robin-proxy.ts';
import type { TestBrowser } from '../../packages/idp/src/testing/test-browser.ts';
import { raisedThrottlesConfig } from './raised-throttles.ts';
import {
  type BenchClient,
  type LoadResult,
  redeemCode,
  runLoad,
  signIn,
  silentFlow,
  tokenRequest,
} from './relying-party-load.ts';

export const SECONDS = Number(process.env.SECONDS ?? 8);
export const CONCURRENCY = Number(process.env.CONCURRENCY ?? 16);
const SERVER_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const BASE_PORT = Number(process.env.BENCH_PORT ?? 3930);

/** This checkout: the bare provider, and Stepup unless another checkout is named. */
export const THIS_TREE = fileURLToPath(new URL('../..', import.meta.url));

const client: BenchClient = { clientId: 'bench', secret: 'Bx7Kq2Wm9Tz4Lc1Rv8Hn3Yp6Ds0Fj5Ga2Ue7Io4Nk9' };
const account = { username: 'bench', password: 'bench password 1' };

export type StorageKind = 'sqlite' | 'postgres';

/** What serves the load: the bare provider, or Stepup from the checkout at `tree`. */
export type Contender = { server: 'bare' } | { server: 'stepup'; tree: string };

/** A phase's figures, and the CPU time the nodes spent per completed step (ms, user + system). */
export type PhaseResult = LoadResult & { cpuPerStep: number };

export interface Measurement {
  silent: PhaseResult;
  token: PhaseResult;
}

interface Storage {
  env: Record<string, string>;
  drop(): Promise<void>;
}

async function freshStorage(kind: StorageKind): Promise<Storage> {
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
    env: {
      STEPUP_DATABASE_URL: url.href,
      // Every node of one database gets the same encryption key, from outside it.
      STEPUP_SECRET_KEY: randomBytes(32).toString('base64url'),
      STEPUP_DATA_DIR: dataDir,
      ...raisedThrottlesConfig(dataDir),
    },
    drop: async () => {
      const again = new pg.Client({ connectionString: SERVER_URL });
      await again.connect();
      await again.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await again.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const nodeArguments = ['--conditions=stepup-source', '--import', 'tsx'];

/** Seeds the store with the code of the checkout that will serve it; returns the account's id. */
async function seed(tree: string, env: Record<string, string>): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [...nodeArguments, join(THIS_TREE, 'bench/load/seed-bench-store.ts')],
    {
      cwd: tree,
      env: { ...process.env, ...env, STEPUP_TREE: tree, BENCH_SEED: JSON.stringify({ client, account }) },
    },
  );
  return stdout.trim();
}

async function bareProviderKeys(): Promise<string> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: 'bench', alg: 'RS256', use: 'sig' };
  return JSON.stringify({ jwks: { keys: [jwk] }, cookieKeys: [randomBytes(32).toString('base64url')] });
}

function startNode(contender: Contender, port: number, env: Record<string, string>): ChildProcess {
  const [tree, entry] =
    contender.server === 'stepup'
      ? [contender.tree, ['packages/idp/src/cli/main.ts', 'start']]
      : [THIS_TREE, ['bench/load/bare-provider.ts']];
  return spawn(
    process.execPath,
    [...nodeArguments, ...(process.env.BENCH_NODE_OPTIONS?.split(' ') ?? []), ...entry],
    {
      cwd: tree,
      env: {
        ...process.env,
        ...env,
        IDP_PORT: String(port),
        BENCH_PORT: String(port),
        STEPUP_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
}

/**
 * CPU time (ms) the processes have used so far, from /proc (Linux): on a machine shared with other
 * jobs, the nodes' CPU per step is a fairer comparison than steps per second, which counts the time
 * other jobs held the cores.
 */
export function cpuMilliseconds(nodes: readonly ChildProcess[]): number {
  let ticks = 0;
  for (const node of nodes) {
    const stat = readFileSync(`/proc/${node.pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces, inside parentheses): utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * (1000 / CLOCK_TICKS_PER_SECOND);
}

/** USER_HZ: 100 on every Linux architecture Node.js runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

/** Runs one phase of the load and charges the nodes' CPU time to its completed steps. */
async function runPhase(
  nodes: readonly ChildProcess[],
  workers: Array<() => Promise<void>>,
): Promise<PhaseResult> {
  const cpuBefore = cpuMilliseconds(nodes);
  const result = await runLoad(workers, SECONDS);
  const steps = result.perSecond * SECONDS;
  return { ...result, cpuPerStep: (cpuMilliseconds(nodes) - cpuBefore) / steps };
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

/** The nodes of one contender over a fresh store, the bench's client and account in it. */
export interface RunningContender {
  /** Where the relying parties send their requests: the one node, or the proxy in front of several. */
  origin: string;
  nodes: readonly ChildProcess[];
  /** Stops the nodes and the proxy, and drops the store. */
  stop(): Promise<void>;
}

/** Seeds a fresh store and starts `nodeCount` nodes of `contender` on it, serving once this resolves. */
export async function startContender(
  storageKind: StorageKind,
  nodeCount: number,
  contender: Contender,
): Promise<RunningContender> {
  const storage = await freshStorage(storageKind);
  const nodes: ChildProcess[] = [];
  const ports = Array.from({ length: nodeCount }, (_, i) => BASE_PORT + i);
  const proxy = nodeCount > 1 ? await startRoundRobinProxy(BASE_PORT + 10, () => ports) : undefined;
  const stop = async () => {
    for (const node of nodes) node.kill('SIGTERM');
    await Promise.all(nodes.map((node) => new Promise((resolve) => node.once('exit', resolve))));
    await proxy?.close();
    await storage.drop();
  };
  try {
    const accountId = await seed(contender.server === 'stepup' ? contender.tree : THIS_TREE, storage.env);
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
      nodes.push(startNode(contender, port, env));
      await waitUntilServing(port);
    }
    return { origin, nodes, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The bench account signed in `count` times, each in its own browser, its session able to answer `prompt=none`. */
export function signInBrowsers(origin: string, count: number) {
  return Promise.all(Array.from({ length: count }, () => signIn(origin, client, account)));
}

/**
 * A refresh token chain of the bench account: each call redeems the latest refresh token for the
 * next (rotation), as a relying party keeping a session alive does.
 */
export async function startRefreshChain(origin: string): Promise<() => Promise<void>> {
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
}

/** One silent flow of the bench client in `browser`: authorize with `prompt=none`, then redeem the code. */
export const benchSilentFlow = (origin: string, browser: TestBrowser) => silentFlow(origin, client, browser);

export async function measure(
  storageKind: StorageKind,
  nodeCount: number,
  contender: Contender,
): Promise<Measurement> {
  const { origin, nodes, stop } = await startContender(storageKind, nodeCount, contender);
  try {
    const sessions = await signInBrowsers(origin, CONCURRENCY);
    const silent = await runPhase(
      nodes,
      sessions.map(
        ({ browser }) =>
          () =>
            benchSilentFlow(origin, browser),
      ),
    );
    const chains = await Promise.all(sessions.map(() => startRefreshChain(origin)));
    const token = await runPhase(nodes, chains);
    return { silent, token };
  } finally {
    await stop();
  }
}

/** The median of each figure over the rounds (failures are summed). */
export function median(results: PhaseResult[]): PhaseResult {
  const middle = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
  return {
    perSecond: middle(results.map((result) => result.perSecond)),
    p50: middle(results.map((result) => result.p50)),
    p99: middle(results.map((result) => result.p99)),
    failures: results.reduce((sum, result) => sum + result.failures, 0),
    cpuPerStep: middle(results.map((result) => result.cpuPerStep)),
  };
}

/** The median measurement of several rounds, figure by figure. */
export function medianMeasurement(rounds: Measurement[]): Measurement {
  return {
    silent: median(rounds.map((round) => round.silent)),
    token: median(rounds.map((round) => round.token)),
  };
}

export const formatResult = (result: PhaseResult) =>
  `${result.perSecond.toFixed(0)} | ${result.p50.toFixed(1)} | ${result.p99.toFixed(1)} | ${result.cpuPerStep.toFixed(2)}${result.failures ? ` (${result.failures} failed)` : ''}`;

export const overhead = (ours: number, bare: number) => `${(((bare - ours) / bare) * 100).toFixed(0)}%`;
