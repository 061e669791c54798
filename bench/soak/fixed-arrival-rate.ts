import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FlowName, FlowOutcomes } from './flow-outcomes.ts';

/**
 * Open loop: starts the cycle's next flow every 1/`perSecond` seconds for `seconds`, whether or not
 * the earlier ones have finished — as independent people and applications arrive — then waits for
 * the last ones. A slow node therefore meets more requests at once, not fewer, and a flow's latency
 * counts from the moment it was due. Returns the most flows that were in flight at once.
 */
export async function runAtFixedRate(options: {
  cycle: readonly FlowName[];
  run: (flow: FlowName) => Promise<void>;
  perSecond: number;
  seconds: number;
  outcomes: FlowOutcomes;
}): Promise<{ mostInFlight: number }> {
  const { cycle, run, outcomes, perSecond } = options;
  const started = performance.now();
  const arrivals = Math.floor(options.seconds * perSecond);
  const inFlight = new Set<Promise<void>>();
  let mostInFlight = 0;
  for (let arrival = 0; arrival < arrivals; arrival += 1) {
    const due = started + (arrival * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const flow = cycle[arrival % cycle.length] as FlowName;
    const finished = run(flow).then(
      () => outcomes.completed(flow, performance.now() - due),
      (error: unknown) => outcomes.failed(flow, error),
    );
    inFlight.add(finished);
    void finished.then(() => inFlight.delete(finished));
    mostInFlight = Math.max(mostInFlight, inFlight.size);
  }
  await Promise.all(inFlight);
  return { mostInFlight };
}
