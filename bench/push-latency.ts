/**
 * Push approval latency: from the device's approval request to the waiting login page's event, and
 * to the login finishing (the redirect back to the application), against a real provider process.
 *
 *   npm run bench:push            (APPROVALS=200 by default)
 *
 * Each approval: a new browser signs in with the password (argon2id); the provider sends a push and
 * the page shows the number; the page opens its event stream; the device (the CLI's library, ECDSA
 * P-256 through WebCrypto) reads the request and signs its approval. Timed from the start of the
 * device's POST: its answer, the page's `changed` event, and the callback after the page follows
 * `/push/result` (proof recorded, interaction finished, authorization resumed).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { credentialsFromKeyFile } from '../packages/idp/src/authenticator/device-key-file.ts';
import { enrollDevice } from '../packages/idp/src/authenticator/enroll-device.ts';
import { listPendingChallenges } from '../packages/idp/src/authenticator/list-pending-challenges.ts';
import { respondToChallenge } from '../packages/idp/src/authenticator/respond-to-challenge.ts';
import { runCli } from '../packages/idp/src/cli/run-cli.ts';
import { firstEvent, loginToSecondFactor, readPushPage } from '../packages/idp/src/testing/push-login.ts';
import { TEST_REDIRECT_URI } from '../packages/idp/src/testing/test-provider.ts';
import { expectCallback, TestRelyingParty } from '../packages/idp/src/testing/test-relying-party.ts';

const APPROVALS = Number(process.env.APPROVALS ?? 200);
const PORT = Number(process.env.BENCH_PORT ?? 3918);
const SECRET = 'Bx7Kq2Wm9Tz4Lc1Rv8Hn3Yp6Ds0Fj5Ga2Ue7Io4Nk9';
const PASSWORD = 'bench password 1';
const issuer = `http://localhost:${PORT}`;
const dataDir = mkdtempSync(join(tmpdir(), 'stepup-bench-push-'));
const configFile = join(dataDir, 'config.json');
// One user answers every request: lift the per-account cap that protects real users from fatigue.
writeFileSync(configFile, JSON.stringify({ push: { sends: { limit: 100_000, windowSeconds: 60 } } }));
const env = {
  ...process.env,
  STEPUP_DATA_DIR: dataDir,
  STEPUP_CONFIG: configFile,
  IDP_PORT: String(PORT),
  STEPUP_LOG_LEVEL: 'warn',
};

const quiet = { out: () => {}, env };
await runCli(['user', 'add', 'bench', '--password', PASSWORD], quiet, console.error);
await runCli(
  ['client', 'add', 'bench', '--secret', SECRET, '--redirect-uri', TEST_REDIRECT_URI, '--name', 'Bench'],
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

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

try {
  const app = await TestRelyingParty.discover(issuer, 'bench', { client_secret: SECRET });

  // The first login enrolls the device (trust on first use), through the link its page shows.
  const first = await loginToSecondFactor(app.inNewBrowser(), 'bench', PASSWORD);
  const link = /<a href="([^"]+\/authenticator#enroll=[\w-]+)">/.exec(first.page.html)?.[1];
  if (!link) throw new Error('the first login did not offer push enrollment');
  const device = await credentialsFromKeyFile(await enrollDevice(link, 'Bench device'));

  async function approval() {
    const rp = app.inNewBrowser();
    const { pending, page } = await loginToSecondFactor(rp, 'bench', PASSWORD);
    const push = readPushPage(page);
    const [challenge] = await listPendingChallenges(device);
    if (!challenge) throw new Error('the device has no request');
    const waiting = await firstEvent(rp.browser, push.eventsUrl, 10_000);
    let woke = Number.NaN;
    const event = waiting.event.then((name) => {
      woke = performance.now();
      return name;
    });
    const start = performance.now();
    await respondToChallenge(
      device,
      challenge.id,
      { decision: 'approve', number: push.number },
      { nonce: challenge.nonce },
    );
    const answered = performance.now();
    if ((await event) !== 'changed') throw new Error('the waiting page was not woken');
    const callback = expectCallback(await rp.browser.navigate(push.nextUrl));
    const finished = performance.now();
    return {
      rp,
      pending,
      callback,
      answered: answered - start,
      woke: woke - start,
      finished: finished - start,
    };
  }

  for (let i = 0; i < 5; i += 1) await approval(); // warm-up
  const samples: Awaited<ReturnType<typeof approval>>[] = [];
  for (let i = 0; i < APPROVALS; i += 1) samples.push(await approval());
  // The flow is real: the last one ends in an ID token that says push was proven.
  const last = samples.at(-1);
  if (last) {
    const amr = (await last.rp.redeem(last.callback, last.pending)).claims()?.amr;
    if (JSON.stringify(amr) !== '["mfa","pwd","swk"]')
      throw new Error(`unexpected amr ${JSON.stringify(amr)}`);
  }

  const rows = [
    ['device POST answered (approval verified and stored)', samples.map((s) => s.answered)],
    ['waiting page’s SSE event received', samples.map((s) => s.woke)],
    ['login finished (redirect to the application)', samples.map((s) => s.finished)],
  ] as const;
  console.log(
    `node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, ${APPROVALS} approvals, sequential, provider in its own process, SQLite file`,
  );
  console.log('| from the device’s approval request to … | p50 (ms) | p99 (ms) | max (ms) |');
  console.log('|---|---|---|---|');
  for (const [name, values] of rows) {
    const sorted = [...values].sort((a, b) => a - b);
    console.log(
      `| ${name} | ${percentile(sorted, 50).toFixed(1)} | ${percentile(sorted, 99).toFixed(1)} | ${(sorted.at(-1) ?? Number.NaN).toFixed(1)} |`,
    );
  }
} finally {
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  rmSync(dataDir, { recursive: true, force: true });
}
