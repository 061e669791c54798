import type { ActionFailure } from '../action-error-codes.ts';
import type { CacheRecord } from '../cache/cache-limits.ts';
import type { RecordedApiCall } from '../post-login-api.ts';
import type { RedirectTokenBinding } from '../redirect/redirect-token.ts';

/** What one execution may use. Set from `actions.*` in the configuration. */
export interface SandboxLimits {
  /** Wall-clock time for the whole execution: top-level code, the call, every pending job. */
  timeoutMs: number;
  /** Heap of the QuickJS runtime. */
  memoryLimitBytes: number;
  /** Stack of the QuickJS runtime; the worker's native stack is sized from it. */
  maxStackBytes: number;
  /** Console output kept per execution; more fails the execution with `action_log_limit`. */
  logLimitBytes: number;
}

/**
 * One execution. `load` evaluates the script and checks that it exports the function, without
 * calling it (the check at deploy time); `run` calls it with the event.
 */
export interface SandboxRequest {
  mode: 'load' | 'run';
  code: string;
  /** File name shown in stack traces, e.g. the Action's name. */
  filename: string;
  /** The event as JSON; parsed and deep-frozen inside the sandbox. */
  eventJson: string;
  limits: SandboxLimits;
  /**
   * The function `run` calls: `onExecutePostLogin` (the default), or `onContinuePostLogin` when the
   * browser came back to `/continue` after this Action's `api.redirect.sendUserTo`.
   */
  entry?: 'onExecutePostLogin' | 'onContinuePostLogin';
  /**
   * What `api.redirect` binds its tokens to. Absent where no browser can be redirected (deploy
   * check, silent authentication, refresh): `sendUserTo` and `encodeToken` then fail the execution.
   */
  redirect?: RedirectTokenBinding;
  /** With `onContinuePostLogin`: the parameters (query and form) the browser brought to `/continue`. */
  continueParams?: Readonly<Record<string, string>>;
  /** The Action's cache entries, fetched before the run, and the time (epoch ms) they are judged by. */
  cache?: { now: number; entries: Readonly<Record<string, CacheRecord>> };
}

/** What came out of one execution: only plain data, never a handle into the sandbox. */
export interface SandboxResult {
  /** Present when the execution failed; the recorded calls then count for nothing. */
  failure?: ActionFailure;
  calls: RecordedApiCall[];
  /** Console lines, each prefixed with its level (`log:`, `warn:`, …). */
  logs: string[];
  /** Time spent inside the sandbox. */
  durationMs: number;
}

/** Messages between the pool and one worker. */
export type WorkerInbound = { type: 'run'; id: number; request: SandboxRequest };
/** Messages from one worker to the pool. */
export type WorkerOutbound =
  | { type: 'ready' }
  | { type: 'startup-failed'; detail: string }
  | { type: 'result'; id: number; result: SandboxResult };
