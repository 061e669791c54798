/**
 * Times one full authorization code flow against a real provider process, and the provider's CPU
 * per flow (read from /proc for the server process alone).
 *
 *   npm run bench:flow            (FLOWS=200 by default)
 *
 * Two kinds of flow, each: authorize → login page → password (argon2id) → callback → token endpoint.
 *  - "password login": a new browser each time, so the password is verified every flow;
 *  - "silent (prompt=none)": the same browser again, the session answers without a page.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCli } from '../packages/idp/src/cli/run-cli.ts';
import { TEST_REDIRECT_URI } from '../packages/idp/src/testing/test-provider.ts';
import {
  expectCallback,
  expectPage,
  submitPassword,
  TestRelyingParty,
} from '../packages/idp/src/testing/test-relying-party.ts';

const FLOWS = Number(process.env.FLOWS ?? 200);
const PORT = Number(process.env.BENCH_PORT ?? 3917);
const SECRET = 'Bx7Kq2Wm9Tz4Lc1Rv8Hn3Yp6Ds0Fj5Ga2Ue7Io4Nk9';
const issuer = `http://localhost:${PORT}`;
const dataDir = mkdtempSync(join(tmpdir(), 'stepup-bench-'));
const env = { ...process.env, STEPUP_DATA_DIR: dataDir, IDP_PORT: String(PORT), STEPUP_LOG_LEVEL: 'warn' };

const quiet = { out: () => {}, env };
await runCli(['user', 'add', 'bench', '--password', 'bench password 1'], quiet, console.error);
await runCli(
  ['client', 'add', 'bench', '--secret', SECRET, '--redirect-uri', TEST_REDIRECT_URI],
  quiet,
  console.error,
);

const server = spawn(
  process.execPath,
  ['--conditions=stepup-source', '--import', 'tsx', 'packages/idp/src/cli/main.ts', 'start'],
  {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  },
);
const pid = server.pid ?? 0;
for (let i = 0; i < 100; i += 1) {
  if (
    await fetch(`${issuer}/healthz`).then(
      (r) => r.ok,
      () => false,
    )
  )
    break;
  await sleep(100);
}

/** User + system CPU of the server process, in milliseconds. */
function serverCpuMs(): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

const app = await TestRelyingParty.discover(issuer, 'bench', { client_secret: SECRET });

async function passwordFlow() {
  const rp = app.inNewBrowser();
  const pending = await rp.authorizationUrl();
  const login = expectPage(await rp.open(pending));
  await rp.redeem(
    expectCallback(await submitPassword(rp.browser, login.html, 'bench', 'bench password 1')),
    pending,
  );
  return rp;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function measure(name: string, flow: () => Promise<unknown>) {
  for (let i = 0; i < 5; i += 1) await flow(); // warm-up
  const times: number[] = [];
  const cpuBefore = serverCpuMs();
  for (let i = 0; i < FLOWS; i += 1) {
    const start = performance.now();
    await flow();
    times.push(performance.now() - start);
  }
  const cpu = (serverCpuMs() - cpuBefore) / FLOWS;
  times.sort((a, b) => a - b);
  return { name, p50: percentile(times, 50), p99: percentile(times, 99), cpu };
}

try {
  const signedIn = await passwordFlow();
  const results = [
    await measure('password login', passwordFlow),
    await measure('silent (prompt=none)', async () => {
      const pending = await signedIn.authorizationUrl({ prompt: 'none' });
      await signedIn.redeem(expectCallback(await signedIn.open(pending)), pending);
    }),
  ];
  console.log(
    `node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, ${FLOWS} flows each, sequential`,
  );
  console.log('| flow | wall p50 (ms) | wall p99 (ms) | provider CPU per flow (ms) |');
  console.log('|---|---|---|---|');
  for (const r of results) {
    console.log(`| ${r.name} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.cpu.toFixed(1)} |`);
  }
} finally {
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  rmSync(dataDir, { recursive: true, force: true });
}
