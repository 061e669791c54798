/**
 * The load bench (bench/load.ts) for two checkouts of Stepup in one run: Stepup from BEFORE_TREE
 * (another checkout, dependencies installed), Stepup from this checkout, and the bare oidc-provider
 * of this checkout, one after the other in each round, in a rotating order, so that a change in the
 * machine's load falls on all three alike. Prints each round with the load average at its start, then
 * the medians.
 *
 *   BEFORE_TREE=<path> node --conditions=stepup-source --import tsx bench/load-before-after.ts
 *                        (ROUNDS=3 STORAGES=sqlite,postgres NODES=1,2, and bench/load.ts's variables)
 */
import { cpus, loadavg } from 'node:os';
import {
  CONCURRENCY,
  type Contender,
  formatResult,
  type Measurement,
  measure,
  medianMeasurement,
  overhead,
  type PhaseResult,
  SECONDS,
  type StorageKind,
  THIS_TREE,
} from './load/load-measurement.ts';

const BEFORE_TREE = process.env.BEFORE_TREE;
if (!BEFORE_TREE) throw new Error('BEFORE_TREE names the checkout to compare with');
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const STORAGES = (process.env.STORAGES ?? 'sqlite,postgres').split(',') as StorageKind[];
const NODE_COUNTS = (process.env.NODES ?? '1,2').split(',').map(Number);

const contenders = {
  'bare oidc-provider': { server: 'bare' },
  'Stepup before': { server: 'stepup', tree: BEFORE_TREE },
  'Stepup after': { server: 'stepup', tree: THIS_TREE },
} satisfies Record<string, Contender>;
type Name = keyof typeof contenders;
const names = Object.keys(contenders) as Name[];

/** How much more CPU per step than the bare provider. */
const moreCpu = (ours: PhaseResult, bare: PhaseResult) =>
  `${ours.cpuPerStep >= bare.cpuPerStep ? '+' : ''}${(((ours.cpuPerStep - bare.cpuPerStep) / bare.cpuPerStep) * 100).toFixed(0)}%`;

const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

console.log(
  `node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, ` +
    `${CONCURRENCY} concurrent clients, ${SECONDS} s per measurement, median of ${ROUNDS} rounds, ` +
    `pool ${process.env.STEPUP_DATABASE_POOL_MAX ?? 'default'}`,
);
const table: string[] = [];
for (const storageKind of STORAGES) {
  for (const nodeCount of NODE_COUNTS) {
    const rounds = Object.fromEntries(names.map((name) => [name, [] as Measurement[]])) as Record<
      Name,
      Measurement[]
    >;
    for (let round = 0; round < ROUNDS; round += 1) {
      const order = names.map((_, i) => names[(i + round) % names.length] as Name);
      for (const name of order) {
        const before = load();
        const result = await measure(storageKind, nodeCount, contenders[name]);
        rounds[name].push(result);
        console.log(
          `round ${round + 1} ${storageKind} ${nodeCount} node(s) ${name}: silent ${formatResult(result.silent)}, ` +
            `token ${formatResult(result.token)} (load average ${before} → ${load()})`,
        );
      }
    }
    const medians = Object.fromEntries(
      names.map((name) => [name, medianMeasurement(rounds[name])]),
    ) as Record<Name, Measurement>;
    const bare = medians['bare oidc-provider'];
    for (const name of names) {
      const ours = medians[name];
      const against =
        name === 'bare oidc-provider'
          ? ''
          : ` (overhead ${overhead(ours.silent.perSecond, bare.silent.perSecond)} / ${overhead(ours.token.perSecond, bare.token.perSecond)}; CPU ${moreCpu(ours.silent, bare.silent)} / ${moreCpu(ours.token, bare.token)})`;
      table.push(
        `| ${storageKind} | ${nodeCount} | ${name}${against} | ${formatResult(ours.silent)} | ${formatResult(ours.token)} |`,
      );
    }
  }
}
console.log(
  '| storage | nodes | server | silent flows/s | p50 (ms) | p99 (ms) | node CPU/flow (ms) | token req/s | p50 (ms) | p99 (ms) | node CPU/req (ms) |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const line of table) console.log(line);
