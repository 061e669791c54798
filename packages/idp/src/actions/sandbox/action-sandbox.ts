import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { ActionErrorCode } from '../action-error-codes.ts';
import type { SandboxRequest, SandboxResult, WorkerInbound, WorkerOutbound } from './sandbox-protocol.ts';

/** Size and limits of the worker pool. */
export interface ActionSandboxOptions {
  /** Worker threads; each runs one execution at a time. */
  workers: number;
  /** The largest `limits.maxStackBytes` requests will use; sizes the workers' native stacks. */
  maxStackBytes: number;
  /** Time past a request's `timeoutMs` after which a worker that has not answered is terminated. */
  watchdogGraceMs?: number;
  /** Requests waiting for a worker beyond this many fail at once with `action_sandbox_failed`. */
  maxQueue?: number;
}

interface Job {
  request: SandboxRequest;
  resolve: (result: SandboxResult) => void;
}

interface SandboxWorker {
  thread: Worker;
  ready: boolean;
  job: Job | undefined;
  jobId: number;
  /** `performance.now()` when it last finished a job (or became ready). */
  idleSince: number;
  watchdog: NodeJS.Timeout | undefined;
}

/** From the TypeScript sources the worker needs tsx registered first; the built package does not. */
const WORKER_URL = import.meta.url.endsWith('.ts')
  ? new URL('./sandbox-worker-from-source.js', import.meta.url)
  : new URL('./sandbox-worker-main.js', import.meta.url);
/**
 * Inside the worker the interrupt handler stops a script at its limit to the millisecond; the watchdog
 * is for the rare built-in that never polls it, and keeps "stopped within the limit + 50 ms" true for
 * those too. A worker that stopped its script in time but could not answer within the grace (a very
 * busy machine) is terminated as well: the outcome is the same, it only costs a restart.
 */
const DEFAULT_WATCHDOG_GRACE_MS = 40;
const DEFAULT_MAX_QUEUE = 1000;
/**
 * QuickJS checks its stack limit against WebAssembly's own stack, but each WebAssembly frame also
 * takes native stack — 16 to 32 times as much for the parser and JSON. The worker's native stack is
 * sized so that QuickJS's check always comes first.
 */
const NATIVE_STACK_FACTOR = 32;

function failed(code: ActionErrorCode, detail: string, durationMs = 0): SandboxResult {
  return { failure: { code, detail }, calls: [], logs: [], durationMs };
}

/**
 * Runs Actions in QuickJS inside worker threads. Each worker loads the WebAssembly module once and
 * gives every execution a fresh runtime and context. Inside the worker QuickJS's interrupt handler
 * stops a script at its time limit; a script stuck in a built-in that never polls it
 * (`new Array(1e9).join('')`, an allocation storm near the memory limit) is stopped by this class,
 * which terminates the worker `watchdogGraceMs` later and starts another on demand. Scripts never
 * block the provider's event loop, and a native stack overflow inside WebAssembly stays in its worker.
 *
 * @example
 * const sandbox = new ActionSandbox({ workers: config.actions.workers, maxStackBytes: config.actions.maxStackBytes });
 * await sandbox.warmUp(); // at start: the first login does not wait for a worker
 * // … runPostLoginActions(input, { sandbox, … }) …
 * await sandbox.close();
 */
export class ActionSandbox {
  readonly #options: Required<ActionSandboxOptions>;
  readonly #workers = new Set<SandboxWorker>();
  readonly #queue: Job[] = [];
  #closed = false;
  #nextJobId = 1;

  constructor(options: ActionSandboxOptions) {
    if (!Number.isInteger(options.workers) || options.workers < 1) {
      throw new TypeError('ActionSandbox needs at least one worker');
    }
    this.#options = {
      watchdogGraceMs: DEFAULT_WATCHDOG_GRACE_MS,
      maxQueue: DEFAULT_MAX_QUEUE,
      ...options,
    };
  }

  /** Runs one execution. Never rejects: every problem is a failed `SandboxResult`. */
  run(request: SandboxRequest): Promise<SandboxResult> {
    if (this.#closed) throw new TypeError('ActionSandbox is closed');
    return new Promise((resolve) => {
      if (this.#queue.length >= this.#options.maxQueue) {
        resolve(failed('action_sandbox_failed', 'too many Actions are waiting for the sandbox'));
        return;
      }
      this.#queue.push({ request, resolve });
      this.#pump();
    });
  }

  /** Starts every worker now (they otherwise start on first use) and waits until they are ready. */
  async warmUp(): Promise<void> {
    while (this.#workers.size < this.#options.workers) this.#spawn();
    await Promise.all(
      [...this.#workers].map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.ready) return resolve();
            const done = () => resolve();
            worker.thread.once('message', done);
            worker.thread.once('exit', done);
          }),
      ),
    );
    this.#pump();
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#queue.splice(0))
      job.resolve(failed('action_sandbox_failed', 'the sandbox closed'));
    await Promise.all([...this.#workers].map((worker) => this.#retire(worker, 'the sandbox closed')));
  }

  #pump(): void {
    // The worker idle longest first: after answering, a worker disposes the runtime it used and
    // prepares the next one, and the others are more likely done with that.
    const idle = [...this.#workers]
      .filter((worker) => worker.ready && !worker.job)
      .sort((a, b) => a.idleSince - b.idleSince);
    for (const worker of idle) {
      const job = this.#queue.shift();
      if (!job) break;
      this.#dispatch(worker, job);
    }
    let starting = [...this.#workers].filter((worker) => !worker.ready).length;
    while (this.#queue.length > starting && this.#workers.size < this.#options.workers) {
      this.#spawn();
      starting++;
    }
    for (const worker of this.#workers) {
      if (worker.ready && !worker.job && this.#queue.length === 0) worker.thread.unref();
    }
  }

  #spawn(): void {
    const stackSizeMb = Math.max(4, Math.ceil((this.#options.maxStackBytes * NATIVE_STACK_FACTOR) / 2 ** 20));
    const thread = new Worker(WORKER_URL, {
      execArgv: [],
      resourceLimits: { stackSizeMb, maxOldGenerationSizeMb: 128 },
    });
    const worker: SandboxWorker = {
      thread,
      ready: false,
      job: undefined,
      jobId: 0,
      idleSince: 0,
      watchdog: undefined,
    };
    this.#workers.add(worker);
    thread.on('message', (message: WorkerOutbound) => this.#onMessage(worker, message));
    thread.on('error', (error) => this.#onExit(worker, `the sandbox worker failed: ${error.message}`));
    thread.on('exit', (exitCode) => this.#onExit(worker, `the sandbox worker exited (${exitCode})`));
  }

  #dispatch(worker: SandboxWorker, job: Job): void {
    worker.job = job;
    worker.jobId = this.#nextJobId++;
    worker.thread.ref();
    const limit = job.request.limits.timeoutMs;
    worker.watchdog = setTimeout(() => {
      // Timers run before pending messages: when this event loop was blocked, the answer may be
      // waiting already. setImmediate runs after they are delivered.
      setImmediate(() => {
        if (worker.job !== job) return;
        job.resolve(failed('action_timeout', `stopped by the watchdog after ${limit} ms`, limit));
        worker.job = undefined;
        void this.#retire(worker, 'the watchdog stopped it');
        this.#pump();
      });
    }, limit + this.#options.watchdogGraceMs);
    const message: WorkerInbound = { type: 'run', id: worker.jobId, request: job.request };
    worker.thread.postMessage(message);
  }

  #onMessage(worker: SandboxWorker, message: WorkerOutbound): void {
    if (message.type === 'ready') {
      worker.ready = true;
      worker.idleSince = performance.now();
    } else if (message.type === 'startup-failed') {
      this.#failQueue(`the sandbox could not start: ${message.detail}`);
    } else if (worker.job && message.id === worker.jobId) {
      clearTimeout(worker.watchdog);
      const { job } = worker;
      worker.job = undefined;
      worker.idleSince = performance.now();
      job.resolve(message.result);
    }
    this.#pump();
  }

  #onExit(worker: SandboxWorker, detail: string): void {
    if (!this.#workers.delete(worker)) return;
    clearTimeout(worker.watchdog);
    worker.job?.resolve(failed('action_sandbox_failed', detail));
    worker.job = undefined;
    // A worker that never became ready would fail the same way for the next request: do not loop.
    if (!worker.ready) this.#failQueue(detail);
    if (!this.#closed) this.#pump();
  }

  #failQueue(detail: string): void {
    for (const job of this.#queue.splice(0)) job.resolve(failed('action_sandbox_failed', detail));
  }

  async #retire(worker: SandboxWorker, detail: string): Promise<void> {
    this.#workers.delete(worker);
    clearTimeout(worker.watchdog);
    worker.job?.resolve(failed('action_sandbox_failed', detail));
    worker.job = undefined;
    await worker.thread.terminate();
  }
}
