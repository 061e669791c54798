import { parentPort } from 'node:worker_threads';
import { newQuickJSWASMModule, type QuickJSWASMModule, RELEASE_SYNC } from 'quickjs-emscripten';
import { PreparedExecution, runInQuickJs } from './run-in-quickjs.ts';
import type { SandboxRequest, SandboxResult, WorkerInbound, WorkerOutbound } from './sandbox-protocol.ts';

/**
 * The message loop of one sandbox worker: it loads the QuickJS WebAssembly module once, then runs
 * one execution at a time, each in a fresh runtime and context that it prepares while waiting for the
 * request and disposes after answering. When the module itself breaks (the native stack
 * ran out inside WebAssembly, an assertion failed), it answers with a failure and loads a new module:
 * a broken module is never used again.
 */
const port = parentPort;
if (!port) throw new Error('sandbox-worker-main runs in a worker thread');

const post = (message: WorkerOutbound) => port.postMessage(message);

/**
 * V8 compiles WebAssembly and the host code lazily and tiers them up while they run: the first
 * executions in a new worker are ten to a hundred times slower. A few runs of a script that touches
 * the usual paths (api, console, await, JSON) happen before the worker says it is ready, so no login
 * pays for them — nor times out because of them.
 */
const WARM_UP_RUNS = 20;
const WARM_UP_REQUEST: SandboxRequest = {
  mode: 'run',
  filename: 'warm-up',
  code: `exports.onExecutePostLogin = async (event, api) => {
    await null;
    console.log('warm', event.user, [1, 2].map((n) => n * 2));
    if (event.transaction.acr_values === 'mfa') api.multifactor.enable('any', { allowRememberBrowser: false });
    api.idToken.setCustomClaim('https://example.com/x', { a: [1, 'b'] });
  };`,
  eventJson: JSON.stringify({ user: { user_id: 'u' }, transaction: { acr_values: 'mfa' } }),
  limits: { timeoutMs: 5000, memoryLimitBytes: 16 * 2 ** 20, maxStackBytes: 256 * 1024, logLimitBytes: 4096 },
};

let quickjs: QuickJSWASMModule;
/** The runtime and context for the next request, made while the worker waits. */
let next: PreparedExecution | undefined;
/** Used ones, disposed after their result is on its way. */
const finished: PreparedExecution[] = [];

try {
  quickjs = await newQuickJSWASMModule(RELEASE_SYNC);
  for (let run = 0; run < WARM_UP_RUNS; run++) runInQuickJs(quickjs, WARM_UP_REQUEST);
  next = new PreparedExecution(quickjs);
  post({ type: 'ready' });
} catch (error) {
  post({ type: 'startup-failed', detail: String(error) });
  process.exit(1);
}

/** Disposes what the last request used and prepares the next one, off the request's path. */
async function tidyUp(): Promise<void> {
  try {
    for (const execution of finished.splice(0)) execution.dispose();
    next ??= new PreparedExecution(quickjs);
  } catch {
    await replaceModule();
  }
}

/** A module that failed once is never used again. */
async function replaceModule(): Promise<void> {
  finished.length = 0;
  next = undefined;
  quickjs = await newQuickJSWASMModule(RELEASE_SYNC);
  next = new PreparedExecution(quickjs);
}

port.on('message', async (message: WorkerInbound) => {
  let result: SandboxResult;
  const started = performance.now();
  try {
    const execution = next ?? new PreparedExecution(quickjs);
    next = undefined;
    finished.push(execution);
    result = execution.run(message.request);
  } catch (error) {
    const overflow = error instanceof RangeError && /call stack/i.test(error.message);
    result = {
      failure: {
        code: overflow ? 'action_stack_overflow' : 'action_sandbox_failed',
        detail: `the sandbox stopped: ${String(error)}`.slice(0, 500),
      },
      calls: [],
      logs: [],
      durationMs: performance.now() - started,
    };
    await replaceModule();
  }
  post({ type: 'result', id: message.id, result });
  setImmediate(() => void tidyUp());
});
