/**
 * The cost of post-login Actions per login, and how fast a runaway Action is stopped.
 *
 *   node --conditions=stepup-source --import tsx bench/actions.ts            (RUNS=2000, RUNAWAY_RUNS=20 by default)
 *
 * 1. "Action overhead per login": `runPostLoginActions` with the seed's Action deployed, as a login
 *    calls it — the enabled Actions from the provider's memory (`CachedEnabledActions`, read once from
 *    SQLite, a file store with WAL), secrets opened, event built, script run in a fresh QuickJS
 *    runtime in a sandbox worker, calls validated and merged, execution log written, log line written. Timed from the call to the outcome.
 * 2. The same script through the sandbox alone (no store, no log), and inside the worker only.
 * 3. A runaway `for (;;) {}` with `timeoutMs` = 100: the time from the call to the failed outcome.
 *    And a script stuck in a built-in that never yields (stopped by the watchdog).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { deployAction } from '../packages/idp/src/actions/deploy-action.ts';
import { runPostLoginActions } from '../packages/idp/src/actions/run-post-login-actions.ts';
import { ActionSandbox } from '../packages/idp/src/actions/sandbox/action-sandbox.ts';
import type { SandboxRequest } from '../packages/idp/src/actions/sandbox/sandbox-protocol.ts';
import { loginInput, MFA, SEED_ACTION } from '../packages/idp/src/actions/testing/actions-fixture.ts';
import { configSchema } from '../packages/idp/src/config/config-schema.ts';
import { SecretKeyring } from '../packages/idp/src/crypto/secret-keyring.ts';
import { CachedEnabledActions } from '../packages/idp/src/store/cached-enabled-actions.ts';
import { openSqliteStore } from '../packages/idp/src/store/sqlite/sqlite-store.ts';

const RUNS = Number(process.env.RUNS ?? 2000);
const RUNAWAY_RUNS = Number(process.env.RUNAWAY_RUNS ?? 20);
const RUNAWAY_LIMIT_MS = 100;

function percentiles(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
  return { p50: at(50), p90: at(90), p99: at(99), max: sorted[sorted.length - 1] ?? Number.NaN };
}

const ms = (value: number) => value.toFixed(3);

const dataDir = mkdtempSync(join(tmpdir(), 'stepup-bench-actions-'));
const store = await openSqliteStore({ dataDir });
const secretBox = SecretKeyring.parse(SecretKeyring.generateKey());
const settings = configSchema.shape.actions.parse({});
const workers = Number(process.env.WORKERS ?? settings.workers);
const sandbox = new ActionSandbox({ workers, maxStackBytes: settings.maxStackBytes });
const logger = pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: true }));
await sandbox.warmUp();
await deployAction(
  { name: 'step-up', trigger: 'post-login', code: SEED_ACTION },
  { actions: store.actions, secretBox, sandbox, settings },
);

// As the provider reads them: from memory, after the first login.
const deps = { actions: new CachedEnabledActions(store.actions), secretBox, sandbox, logger, settings };
const input = loginInput('salary', MFA);

// Warm the host side (JIT) the way a running provider is warm.
for (let i = 0; i < 200; i++) await runPostLoginActions(input, deps);

const perLogin: number[] = [];
const inWorker: number[] = [];
const cpuBefore = process.cpuUsage();
for (let i = 0; i < RUNS; i++) {
  const started = performance.now();
  const outcome = await runPostLoginActions(input, deps);
  perLogin.push(performance.now() - started);
  if (outcome.multifactor?.provider !== 'any') throw new Error('the seed Action did not ask for MFA');
  inWorker.push(outcome.executions[0]?.durationMs ?? Number.NaN);
}
const cpu = process.cpuUsage(cpuBefore);
const cpuPerLogin = (cpu.user + cpu.system) / 1000 / RUNS;

const seedRequest: SandboxRequest = {
  mode: 'run',
  code: SEED_ACTION,
  filename: 'step-up.js',
  eventJson: JSON.stringify({ client: { client_id: 'salary' }, transaction: { acr_values: MFA } }),
  limits: { ...settings },
};
const sandboxOnly: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const started = performance.now();
  await sandbox.run(seedRequest);
  sandboxOnly.push(performance.now() - started);
}

const runawayLimits = { ...settings, timeoutMs: RUNAWAY_LIMIT_MS };
const runaway: number[] = [];
for (let i = 0; i < RUNAWAY_RUNS; i++) {
  const started = performance.now();
  const result = await sandbox.run({
    ...seedRequest,
    code: 'exports.onExecutePostLogin = async () => { for (;;) {} };',
    limits: runawayLimits,
  });
  runaway.push(performance.now() - started);
  if (result.failure?.code !== 'action_timeout')
    throw new Error(`runaway ended with ${result.failure?.code}`);
}
const stuck: number[] = [];
for (let i = 0; i < 5; i++) {
  const started = performance.now();
  const result = await sandbox.run({
    ...seedRequest,
    code: "exports.onExecutePostLogin = async () => { new Array(1e9).join(''); };",
    limits: runawayLimits,
  });
  stuck.push(performance.now() - started);
  if (result.failure?.code !== 'action_timeout')
    throw new Error(`stuck script ended with ${result.failure?.code}`);
  await sandbox.warmUp();
}

await sandbox.close();
await store.close();
rmSync(dataDir, { recursive: true, force: true });

const rows = [
  ['Action overhead per login (seed Action, full engine)', percentiles(perLogin)],
  ['  of which inside the worker (fresh runtime + script)', percentiles(inWorker)],
  ['sandbox round trip only (no store, no log)', percentiles(sandboxOnly)],
  [`runaway \`for (;;) {}\`, limit ${RUNAWAY_LIMIT_MS} ms: call → outcome`, percentiles(runaway)],
  [`stuck in a built-in (watchdog), limit ${RUNAWAY_LIMIT_MS} ms: call → outcome`, percentiles(stuck)],
] as const;

console.log(
  `node ${process.version}, ${cpus().length}× ${cpus()[0]?.model ?? 'unknown CPU'}, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
console.log(`${RUNS} logins, ${RUNAWAY_RUNS} runaway runs, ${workers} sandbox workers\n`);
console.log('| measure | p50 ms | p90 ms | p99 ms | max ms |');
console.log('|---|---:|---:|---:|---:|');
for (const [name, p] of rows)
  console.log(`| ${name} | ${ms(p.p50)} | ${ms(p.p90)} | ${ms(p.p99)} | ${ms(p.max)} |`);
console.log(`\nCPU per login, all threads of the process (main and workers): ${ms(cpuPerLogin)} ms`);
const overshoot = percentiles(runaway.map((value) => value - RUNAWAY_LIMIT_MS));
console.log(`runaway stopped ${ms(overshoot.p50)} ms (p50) / ${ms(overshoot.max)} ms (max) after its limit`);
