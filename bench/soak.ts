/**
 * Soak: two provider nodes over one PostgreSQL database and one Redis, behind the multi-node tests'
 * round-robin proxy, under mixed traffic through real OpenID flows — password logins, TOTP step-ups,
 * silent authentication (`prompt=none`) and rotating refresh grants (bench/soak/soak-traffic.ts),
 * every login running the seed's post-login Action — at a fixed arrival rate of half the measured
 * capacity, for ten minutes. Reports failures by flow and kind, p50/p99 latency per flow, each
 * node's resident memory after the warm-up and at the end, and the Redis keys by kind. Targets
 * (issue #16): no failure, under 10 % memory growth after the warm-up.
 *
 *   npm run bench:soak     SOAK_SECONDS=600 (the soak itself), WARMUP_SECONDS=90 (at the soak's rate,
 *                          before memory is first read), SOAK_RATE=<flows/s> (skips the probe),
 *                          PROBE_SECONDS=20 and PROBE_CONCURRENCY=8 (the capacity probe's closed loop),
 *                          SOAK_HEAP_SNAPSHOTS=<folder> (a heap snapshot of each node after the
 *                          warm-up and at the end, for comparison in a browser's developer tools)
 *
 * The nodes are separate processes running the built package's `stepup-idp start`, as a deployment
 * runs them, so no development loader sits in the memory measured (the npm script builds first).
 * PostgreSQL and Redis are the test servers (STEPUP_TEST_DATABASE_URL, STEPUP_TEST_REDIS_URL): a
 * scratch database and a key prefix of its own, removed at the end. The load generator, the proxy and
 * the nodes share the machine, so capacity is that of the whole setup. Memory is read from Linux's
 * /proc.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedActionFor } from '../apps/salary/demo/seed-action.ts';
import { startProviderCluster } from '../e2e/support/provider-cluster.ts';
import { hashPassword } from '../packages/idp/src/accounts/password-hashing.ts';
import { generateTotpSecret } from '../packages/idp/src/factors/totp/totp.ts';
import { createPostgresTestDatabase } from '../packages/idp/src/testing/postgres-test-database.ts';
import { connectRedisForTests } from '../packages/idp/src/testing/redis-test-connection.ts';
import { raisedThrottlesConfig } from './load/raised-throttles.ts';
import type { BenchClient } from './load/relying-party-load.ts';
import { probeCapacity } from './soak/capacity-probe.ts';
import { runAtFixedRate } from './soak/fixed-arrival-rate.ts';
import { FLOWS, FlowOutcomes } from './soak/flow-outcomes.ts';
import { heapSnapshotOptions, takeHeapSnapshots } from './soak/heap-snapshots.ts';
import { residentSetSize } from './soak/node-memory.ts';
import { censusOfKeys } from './soak/redis-census.ts';
import { type PasswordAccount, SoakTraffic, type TotpAccount, TRAFFIC_CYCLE } from './soak/soak-traffic.ts';
import { censusOfTables } from './soak/table-census.ts';

const SOAK_SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const WARMUP_SECONDS = Number(process.env.WARMUP_SECONDS ?? 90);
const PROBE_SECONDS = Number(process.env.PROBE_SECONDS ?? 20);
const PROBE_CONCURRENCY = Number(process.env.PROBE_CONCURRENCY ?? 8);
const HEAP_SNAPSHOTS = process.env.SOAK_HEAP_SNAPSHOTS;
/** How often each node's memory is read during the soak, for the trend line. */
const MEMORY_SAMPLE_SECONDS = 30;
// Many people, not a few signing in again and again: state kept per account must show its growth.
const PASSWORD_ACCOUNTS = 1000;
// One step-up per account and time step (30 s): enough accounts for several step-ups a second.
const TOTP_ACCOUNTS = 300;
const SIGNED_IN_BROWSERS = 32;
const REFRESH_TOKENS = 32;

const client: BenchClient = { clientId: 'soak', secret: 'soak-client-secret-0123456789abcdef' };
const PASSWORD = 'soak password 1';

const postgres = await createPostgresTestDatabase();
const redis = await connectRedisForTests();
if (postgres.skip !== undefined) throw new Error(postgres.skip);
if (redis.skip !== undefined) throw new Error(redis.skip);
const keyPrefix = redis.redis.newKeyPrefix();
const configDir = mkdtempSync(join(tmpdir(), 'stepup-soak-'));
const cluster = await startProviderCluster({
  databaseUrl: postgres.database.url,
  redisUrl: redis.redis.url,
  redisKeyPrefix: keyPrefix,
  nodes: 2,
  command: 'build',
  env: {
    STEPUP_LOG_LEVEL: 'warn',
    ...raisedThrottlesConfig(configDir),
    ...(HEAP_SNAPSHOTS ? heapSnapshotOptions(HEAP_SNAPSHOTS) : {}),
  },
});
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

try {
  await cluster.addClient({ client_id: client.clientId, client_secret: client.secret });
  // Every login runs the seed's Action in the sandbox, as the salary scenario's logins do.
  await cluster.store.actions.deploy({
    name: 'seed-step-up',
    trigger: 'post-login',
    code: seedActionFor(client.clientId),
    secretNames: [],
    sealedSecrets: null,
    basedOn: null,
    now: Math.floor(Date.now() / 1000),
  });
  // One hash for every account: argon2id at OWASP cost would make seeding the slowest part.
  const passwordHash = await hashPassword(PASSWORD);
  const now = Math.floor(Date.now() / 1000);
  const passwordAccounts: PasswordAccount[] = [];
  for (let i = 0; i < PASSWORD_ACCOUNTS; i += 1) {
    const username = `soak-password-${i}`;
    await cluster.store.users.create({ username, passwordHash, now });
    passwordAccounts.push({ username, password: PASSWORD });
  }
  const totpAccounts: TotpAccount[] = [];
  for (let i = 0; i < TOTP_ACCOUNTS; i += 1) {
    const username = `soak-totp-${i}`;
    const user = await cluster.store.users.create({ username, passwordHash, now });
    const secret = generateTotpSecret();
    await cluster.importTotp(user.id, secret);
    totpAccounts.push({ username, password: PASSWORD, secret });
  }
  const traffic = new SoakTraffic(cluster.issuer, client, { password: passwordAccounts, totp: totpAccounts });
  await traffic.prepare({ browsers: SIGNED_IN_BROWSERS, refreshTokens: REFRESH_TOKENS });
  const run = (flow: (typeof FLOWS)[number]) => traffic.run(flow);

  let rate = Number(process.env.SOAK_RATE ?? Number.NaN);
  const probe = new FlowOutcomes();
  let capacity = Number.NaN;
  if (Number.isNaN(rate)) {
    capacity = await probeCapacity({
      cycle: TRAFFIC_CYCLE,
      run,
      concurrency: PROBE_CONCURRENCY,
      seconds: PROBE_SECONDS,
      outcomes: probe,
    });
    rate = capacity / 2;
  }
  const warmUp = new FlowOutcomes();
  await runAtFixedRate({
    cycle: TRAFFIC_CYCLE,
    run,
    perSecond: rate,
    seconds: WARMUP_SECONDS,
    outcomes: warmUp,
  });

  const pids = cluster.nodes.map((node) => node.pid);
  const loadAtStart = load();
  const rssAtStart = pids.map(residentSetSize);
  const keysAtStart = await censusOfKeys(redis.redis.url, keyPrefix);
  const rowsAtStart = await censusOfTables(postgres.database.url);
  // After the memory is read: writing a snapshot takes memory of its own.
  if (HEAP_SNAPSHOTS) await takeHeapSnapshots(cluster.nodes, HEAP_SNAPSHOTS);
  const rssSamples: number[][] = [rssAtStart];
  const sampler = setInterval(() => rssSamples.push(pids.map(residentSetSize)), MEMORY_SAMPLE_SECONDS * 1000);
  const soak = new FlowOutcomes();
  const started = Date.now();
  const { mostInFlight } = await runAtFixedRate({
    cycle: TRAFFIC_CYCLE,
    run,
    perSecond: rate,
    seconds: SOAK_SECONDS,
    outcomes: soak,
  });
  clearInterval(sampler);
  const rssAtEnd = pids.map(residentSetSize);
  const loadAtEnd = load();
  const keysAtEnd = await censusOfKeys(redis.redis.url, keyPrefix);
  const rowsAtEnd = await censusOfTables(postgres.database.url);
  const soakSeconds = (Date.now() - started) / 1000;
  if (HEAP_SNAPSHOTS) await takeHeapSnapshots(cluster.nodes, HEAP_SNAPSHOTS);

  console.log(
    `node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}; 2 nodes on ` +
      'PostgreSQL + Redis behind a round-robin proxy, load generator on the same machine',
  );
  console.log(
    Number.isNaN(capacity)
      ? `rate set by SOAK_RATE: ${rate} flows/s`
      : `capacity probe: ${capacity.toFixed(1)} flows/s (${PROBE_CONCURRENCY} clients, ${PROBE_SECONDS} s, ` +
          `${probe.failureCount} failed) → soak at ${rate.toFixed(1)} flows/s`,
  );
  console.log(
    `warm-up ${WARMUP_SECONDS} s (${warmUp.completedCount} flows, ${warmUp.failureCount} failed); ` +
      `soak ${soakSeconds.toFixed(0)} s: ${soak.completedCount} flows, ${soak.failureCount} failed, ` +
      `at most ${mostInFlight} in flight`,
  );
  console.log(`load average (1, 5, 15 min): ${loadAtStart} after the warm-up, ${loadAtEnd} at the end`);
  console.log('');
  console.log('| flow | completed | p50 (ms) | p99 (ms) | failed |');
  console.log('|---|---:|---:|---:|---:|');
  for (const flow of FLOWS) {
    const summary = soak.summary(flow);
    const failed = [...summary.failures.values()].reduce((sum, n) => sum + n, 0);
    const starved = summary.starved ? ` (${summary.starved} not run: bench out of accounts)` : '';
    console.log(
      `| ${flow} | ${summary.completed} | ${summary.p50.toFixed(1)} | ${summary.p99.toFixed(1)} | ${failed}${starved} |`,
    );
  }
  console.log('');
  console.log('| node | RSS after warm-up (MiB) | RSS at end (MiB) | growth |');
  console.log('|---|---:|---:|---:|');
  pids.forEach((_, i) => {
    const start = rssAtStart[i] ?? Number.NaN;
    const end = rssAtEnd[i] ?? Number.NaN;
    console.log(`| ${i} | ${mib(start)} | ${mib(end)} | ${(((end - start) / start) * 100).toFixed(1)} % |`);
  });
  console.log('');
  pids.forEach((_, i) => {
    const series = [...rssSamples.map((sample) => sample[i] ?? Number.NaN), rssAtEnd[i] ?? Number.NaN];
    console.log(`node ${i} RSS every ${MEMORY_SAMPLE_SECONDS} s (MiB): ${series.map(mib).join(' ')}`);
  });
  for (const [phase, outcomes] of [
    ['probe', probe],
    ['warm-up', warmUp],
    ['soak', soak],
  ] as const) {
    for (const flow of FLOWS) {
      for (const [kind, count] of outcomes.summary(flow).failures) {
        console.log(`failed in the ${phase}: ${flow}: ${kind} × ${count}`);
      }
    }
  }
  console.log('');
  console.log(
    '| Redis keys | after warm-up | at end | without TTL at end | sorted-set members, after warm-up → end |',
  );
  console.log('|---|---:|---:|---:|---:|');
  for (const kind of [...new Set([...keysAtStart.keys(), ...keysAtEnd.keys()])].sort()) {
    const start = keysAtStart.get(kind);
    const end = keysAtEnd.get(kind);
    const members = start?.members || end?.members ? `${start?.members ?? 0} → ${end?.members ?? 0}` : '';
    console.log(
      `| ${kind} | ${start?.keys ?? 0} | ${end?.keys ?? 0} | ${end?.withoutTtl ?? 0} | ${members} |`,
    );
  }
  console.log('');
  console.log('| PostgreSQL rows (tables that changed) | after warm-up | at end | per soak flow |');
  console.log('|---|---:|---:|---:|');
  const soakFlows = soak.completedCount + soak.failureCount;
  for (const [table, end] of rowsAtEnd) {
    const start = rowsAtStart.get(table) ?? 0;
    if (start === end) continue;
    console.log(`| ${table} | ${start} | ${end} | ${((end - start) / soakFlows).toFixed(2)} |`);
  }
  console.log('');
  const seedAction = await cluster.store.actions.find('seed-step-up');
  const executions = seedAction ? await cluster.store.actions.listExecutions(seedAction.id, 1) : [];
  console.log(`the seed Action ran: ${executions.length > 0 ? 'yes, its execution log is not empty' : 'NO'}`);
  cluster.nodes.forEach((node, i) => {
    const problems = loggedProblems(node.output());
    console.log(`node ${i} logged ${problems.length} warnings and errors`);
    for (const line of problems.slice(0, 5)) console.log(`  ${line}`);
  });
} finally {
  await cluster.close();
  await redis.redis.cleanup();
  await postgres.database.drop();
  rmSync(configDir, { recursive: true, force: true });
}

/** The node's log lines at warn level or above (pino's JSON: 40 and up), its banner left out. */
function loggedProblems(output: string): string[] {
  return output.split('\n').filter((line) => {
    if (!line.startsWith('{')) return false;
    try {
      return Number((JSON.parse(line) as { level?: unknown }).level) >= 40;
    } catch {
      return false;
    }
  });
}
