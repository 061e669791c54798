/**
 * Statements and CPU per flow, without the noise of throughput: one node of each server over a
 * fresh store (the bare oidc-provider, Stepup from BEFORE_TREE when given, Stepup from this
 * checkout), one signed-in browser, FLOWS silent flows and then FLOWS refreshes one after the
 * other. Prints, per server and flow, the SQL statements the node ran per flow (counted by
 * bench/load/count-sql-statements.ts: the same on any machine) and the node's CPU time per flow.
 *
 *   node --conditions=stepup-source --import tsx bench/statements-per-flow.ts
 *                        (BEFORE_TREE=<path> STORAGES=sqlite,postgres FLOWS=300)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  benchSilentFlow,
  type Contender,
  cpuMilliseconds,
  type RunningContender,
  type StorageKind,
  signInBrowsers,
  startContender,
  startRefreshChain,
  THIS_TREE,
} from './load/load-measurement.ts';

const FLOWS = Number(process.env.FLOWS ?? 300);
/** Flows run before counting, so that start-up work (first look-ups, compiling) is not counted. */
const WARM_UP = 20;
const STORAGES = (process.env.STORAGES ?? 'sqlite,postgres').split(',') as StorageKind[];
const contenders: Record<string, Contender> = {
  'bare oidc-provider': { server: 'bare' },
  ...(process.env.BEFORE_TREE
    ? { 'Stepup before': { server: 'stepup', tree: process.env.BEFORE_TREE } }
    : {}),
  'Stepup after': { server: 'stepup', tree: THIS_TREE },
};

const reports = mkdtempSync(join(tmpdir(), 'stepup-statements-'));
process.env.COUNT_SQL_STATEMENTS_FILE = join(reports, 'counts');
// Kept: options already given (a CPU profile, say) come along.
process.env.BENCH_NODE_OPTIONS = [
  process.env.BENCH_NODE_OPTIONS,
  `--import ${join(THIS_TREE, 'bench/load/count-sql-statements.ts')}`,
]
  .filter(Boolean)
  .join(' ');

/** The node's statement count so far: asks it (SIGUSR2) and waits for its new line. */
async function statementsSoFar(running: RunningContender, linesBefore: number): Promise<number> {
  running.nodes[0]?.kill('SIGUSR2');
  for (;;) {
    await sleep(20);
    const lines = readFileSync(process.env.COUNT_SQL_STATEMENTS_FILE as string, {
      encoding: 'utf8',
      flag: 'a+',
    })
      .split('\n')
      .filter(Boolean);
    if (lines.length > linesBefore) return Number(lines[linesBefore]);
  }
}

/** Runs `step` FLOWS times after the warm-up; statements and CPU ms per flow. */
async function perFlow(running: RunningContender, step: () => Promise<void>, reported: { lines: number }) {
  for (let i = 0; i < WARM_UP; i += 1) await step();
  const statementsBefore = await statementsSoFar(running, reported.lines++);
  const cpuBefore = cpuMilliseconds(running.nodes);
  for (let i = 0; i < FLOWS; i += 1) await step();
  const cpu = cpuMilliseconds(running.nodes) - cpuBefore;
  const statements = (await statementsSoFar(running, reported.lines++)) - statementsBefore;
  return `${(statements / FLOWS).toFixed(2)} | ${(cpu / FLOWS).toFixed(2)}`;
}

console.log(`${FLOWS} flows of each kind, one after the other, one node`);
console.log(
  '| storage | server | statements/silent flow | CPU/silent flow (ms) | statements/refresh | CPU/refresh (ms) |',
);
console.log('|---|---|---|---|---|---|');
try {
  for (const storageKind of STORAGES) {
    for (const [name, contender] of Object.entries(contenders)) {
      rmSync(process.env.COUNT_SQL_STATEMENTS_FILE, { force: true });
      const running = await startContender(storageKind, 1, contender);
      try {
        const reported = { lines: 0 };
        const [session] = await signInBrowsers(running.origin, 1);
        if (!session) throw new Error('no signed-in browser');
        const { browser } = session;
        const silent = await perFlow(running, () => benchSilentFlow(running.origin, browser), reported);
        const refresh = await perFlow(running, await startRefreshChain(running.origin), reported);
        console.log(`| ${storageKind} | ${name} | ${silent} | ${refresh} |`);
      } finally {
        await running.stop();
      }
    }
  }
} finally {
  rmSync(reports, { recursive: true, force: true });
}
