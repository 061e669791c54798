import { TokenEndpointError } from '../load/relying-party-load.ts';

/** The flows of the soak's traffic, in the order the report lists them. */
export const FLOWS = ['password login', 'step-up (TOTP)', 'silent (prompt=none)', 'refresh token'] as const;
export type FlowName = (typeof FLOWS)[number];

/** A flow that ended other than as the protocol says it must; `kind` groups it in the report. */
export class FlowFailure extends Error {
  readonly kind: string;

  constructor(kind: string, detail = kind) {
    super(detail);
    this.kind = kind;
  }
}

/**
 * The bench itself had nothing to run the flow with (every signed-in browser or refresh token in
 * use, no TOTP account with an unused time step): not the provider's failure, counted apart.
 */
export class BenchStarved extends Error {}

/** What a failure is, in words that group alike failures: status and error code, never an id. */
export function failureKind(error: unknown): string {
  if (error instanceof FlowFailure) return error.kind;
  if (error instanceof TokenEndpointError) return `token endpoint ${error.status} ${error.error}`;
  if (error instanceof Error) {
    const cause = error.cause as NodeJS.ErrnoException | undefined;
    if (cause?.code) return `${error.message}: ${cause.code}`;
    return `${error.name}: ${error.message.split('\n')[0]?.slice(0, 100)}`;
  }
  return String(error);
}

export interface FlowSummary {
  completed: number;
  p50: number;
  p99: number;
  /** Failures by kind. */
  failures: Map<string, number>;
  starved: number;
}

/** Latencies and failures of every flow run in one phase (probe, warm-up, soak). */
export class FlowOutcomes {
  readonly #latencies = new Map<FlowName, number[]>();
  readonly #failures = new Map<FlowName, Map<string, number>>();
  readonly #starved = new Map<FlowName, number>();

  completed(flow: FlowName, milliseconds: number): void {
    const latencies = this.#latencies.get(flow) ?? [];
    latencies.push(milliseconds);
    this.#latencies.set(flow, latencies);
  }

  failed(flow: FlowName, error: unknown): void {
    if (error instanceof BenchStarved) {
      this.#starved.set(flow, (this.#starved.get(flow) ?? 0) + 1);
      return;
    }
    const kinds = this.#failures.get(flow) ?? new Map<string, number>();
    const kind = failureKind(error);
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    this.#failures.set(flow, kinds);
  }

  get completedCount(): number {
    return [...this.#latencies.values()].reduce((sum, latencies) => sum + latencies.length, 0);
  }

  get failureCount(): number {
    let count = 0;
    for (const kinds of this.#failures.values()) for (const n of kinds.values()) count += n;
    return count;
  }

  summary(flow: FlowName): FlowSummary {
    const latencies = [...(this.#latencies.get(flow) ?? [])].sort((a, b) => a - b);
    const at = (p: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? Number.NaN;
    return {
      completed: latencies.length,
      p50: at(0.5),
      p99: at(0.99),
      failures: this.#failures.get(flow) ?? new Map(),
      starved: this.#starved.get(flow) ?? 0,
    };
  }
}
