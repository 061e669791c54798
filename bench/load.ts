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
 * within one run, not capacity planning. bench/load-before-after.ts compares two checkouts.
 */
import { cpus } from 'node:os';
import {
  CONCURRENCY,
  type Contender,
  formatResult,
  type Measurement,
  measure,
  medianMeasurement,
  overhead,
  SECONDS,
  type StorageKind,
  THIS_TREE,
} from './load/load-measurement.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const STORAGES = (process.env.STORAGES ?? 'sqlite,postgres').split(',') as StorageKind[];
const NODE_COUNTS = (process.env.NODES ?? '1,2').split(',').map(Number);

type Server = Contender['server'];
const contenders: Record<Server, Contender> = {
  bare: { server: 'bare' },
  stepup: { server: 'stepup', tree: THIS_TREE },
};

console.log(
  `node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, ` +
    `${CONCURRENCY} concurrent clients, ${SECONDS} s per measurement, median of ${ROUNDS} rounds ` +
    `(bare and Stepup alternating), pool ${process.env.STEPUP_DATABASE_POOL_MAX ?? 'default'}`,
);
console.log(
  '| storage | nodes | server | silent flows/s | p50 (ms) | p99 (ms) | node CPU/flow (ms) | token req/s | p50 (ms) | p99 (ms) | node CPU/req (ms) |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const storageKind of STORAGES) {
  for (const nodeCount of NODE_COUNTS) {
    const rounds: Record<Server, Measurement[]> = { bare: [], stepup: [] };
    for (let round = 0; round < ROUNDS; round += 1) {
      const order: Server[] = round % 2 === 0 ? ['bare', 'stepup'] : ['stepup', 'bare'];
      for (const server of order)
        rounds[server].push(await measure(storageKind, nodeCount, contenders[server]));
    }
    const bare = medianMeasurement(rounds.bare);
    const ours = medianMeasurement(rounds.stepup);
    console.log(
      `| ${storageKind} | ${nodeCount} | bare oidc-provider | ${formatResult(bare.silent)} | ${formatResult(bare.token)} |`,
    );
    console.log(
      `| ${storageKind} | ${nodeCount} | Stepup | ${formatResult(ours.silent)} | ${formatResult(ours.token)} |`,
    );
    console.log(
      `| ${storageKind} | ${nodeCount} | overhead | ${overhead(ours.silent.perSecond, bare.silent.perSecond)} | | | | ` +
        `${overhead(ours.token.perSecond, bare.token.perSecond)} | | | |`,
    );
  }
}
