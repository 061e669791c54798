import { performance } from 'node:perf_hooks';
import type { FlowName, FlowOutcomes } from './flow-outcomes.ts';

/**
 * Closed loop: `concurrency` clients each run the cycle's flows one after the other, as fast as the
 * nodes answer, for `seconds`. Returns completed flows per second: the capacity of the mix on this
 * machine, load generator included.
 */
export async function probeCapacity(options: {
  cycle: readonly FlowName[];
  run: (flow: FlowName) => Promise<void>;
  concurrency: number;
  seconds: number;
  outcomes: FlowOutcomes;
}): Promise<number> {
  const { cycle, run, outcomes } = options;
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  let turn = 0;
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (performance.now() < deadline) {
        const flow = cycle[turn++ % cycle.length] as FlowName;
        const begin = performance.now();
        try {
          await run(flow);
          outcomes.completed(flow, performance.now() - begin);
        } catch (error) {
          outcomes.failed(flow, error);
        }
      }
    }),
  );
  return outcomes.completedCount / ((performance.now() - started) / 1000);
}
