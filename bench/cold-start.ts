/**
 * The provider's cold start: milliseconds from spawning `stepup-idp start` until discovery answers,
 * on a data folder that already holds its keys (as every start after the first). Two ways to start:
 *  - "compiled": the package's bin, running dist/ with plain node (what users install; needs
 *    `npm run build`);
 *  - "from sources": the TypeScript through tsx, as the checkout's tests do.
 *
 *   npm run bench:cold-start        (RUNS=10 by default)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

const RUNS = Number(process.env.RUNS ?? 10);
const PORT = Number(process.env.BENCH_PORT ?? 3918);
const issuer = `http://127.0.0.1:${PORT}`;
const dataDir = mkdtempSync(join(tmpdir(), 'stepup-cold-start-'));
const env = {
  ...process.env,
  STEPUP_DATA_DIR: dataDir,
  IDP_PORT: String(PORT),
  IDP_HOST: '127.0.0.1',
  STEPUP_ISSUER: issuer,
  STEPUP_LOG_LEVEL: 'warn',
};

const ways: Record<string, string[]> = {
  compiled: ['packages/idp/bin/stepup-idp.js', 'start'],
  'from sources': ['--conditions=stepup-source', '--import', 'tsx', 'packages/idp/src/cli/main.ts', 'start'],
};

async function startOnce(args: string[]): Promise<number> {
  const started = performance.now();
  const server = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'ignore'] });
  try {
    for (;;) {
      const answered = await fetch(`${issuer}/.well-known/openid-configuration`).then(
        (response) => response.ok,
        () => false,
      );
      if (answered) return performance.now() - started;
      if (server.exitCode !== null) throw new Error(`the provider exited with ${server.exitCode}`);
      await sleep(5);
    }
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

try {
  await startOnce(ways.compiled ?? []); // the first start generates the keys; not counted
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(ways).map((way) => [way, []]));
  for (let run = 0; run < RUNS; run++) {
    for (const [way, args] of Object.entries(ways)) times[way]?.push(await startOnce(args));
  }
  console.log(`cold start until discovery answers, ${RUNS} runs each, alternating`);
  console.log(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}`);
  for (const [way, values] of Object.entries(times)) {
    console.log(
      `  ${way.padEnd(13)} median ${median(values).toFixed(0)} ms, min ${Math.min(...values).toFixed(0)} ms, max ${Math.max(...values).toFixed(0)} ms`,
    );
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
