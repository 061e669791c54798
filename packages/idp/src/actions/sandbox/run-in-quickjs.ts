import { performance } from 'node:perf_hooks';
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime, QuickJSWASMModule } from 'quickjs-emscripten';
import { Scope } from 'quickjs-emscripten';
import type { ActionErrorCode, ActionFailure } from '../action-error-codes.ts';
import {
  ANSWERING_API_METHODS,
  POST_LOGIN_API_METHODS,
  type RecordedApiCall,
  UNSUPPORTED_API_METHODS,
  validateApiCall,
} from '../post-login-api.ts';
import { ACTION_MODULES, isAllowedModule } from './action-modules.ts';
import { answerCacheMethod, type CacheView } from './cache-methods.ts';
import { CRYPTO_MODULE_SOURCE, CryptoCallError, runCryptoOperation } from './crypto-module.ts';
import { capturePristineIntrinsics, describeValue, readArgument } from './read-sandbox-value.ts';
import { answerRedirectMethod, type RedirectRequest, sendUserToProblem } from './redirect-methods.ts';
import { SANDBOX_PRELUDE, wrapActionCode } from './sandbox-prelude.ts';
import type { SandboxRequest, SandboxResult } from './sandbox-protocol.ts';

const MAX_DETAIL_CHARS = 500;

/** The state of one execution as the host sees it. The first failure wins and stops the script. */
class Execution {
  readonly calls: RecordedApiCall[] = [];
  readonly logs: string[] = [];
  failure: ActionFailure | undefined;
  logLimitBytes = 0;
  /** `performance.now()` past which the script is stopped; none until the request arrives. */
  deadline = Number.POSITIVE_INFINITY;
  timeoutMs = 0;
  /** What `api.redirect` needs of the request; set when the request arrives. */
  redirect: RedirectRequest = {};
  /** The Action's cache as this execution sees it; set when the request arrives. */
  cache: CacheView = { now: 0, entries: new Map() };
  #logBytes = 0;

  fail(code: ActionErrorCode, detail: string): void {
    this.failure ??= { code, detail: detail.slice(0, MAX_DETAIL_CHARS) };
  }

  /** Keeps a console line; false once the volume passes the limit. */
  addLog(level: string, line: string): boolean {
    const entry = `${level}: ${line}`;
    const room = this.logLimitBytes - this.#logBytes;
    const size = Buffer.byteLength(entry) + 1;
    if (size > room) {
      if (room > 1)
        this.logs.push(
          `${Buffer.from(entry)
            .subarray(0, room - 1)
            .toString()}…`,
        );
      this.#logBytes = this.logLimitBytes;
      return false;
    }
    this.#logBytes += size;
    this.logs.push(entry);
    return true;
  }
}

/**
 * One fresh QuickJS runtime and context, prepared for one execution: the built-ins captured, `api`,
 * `console` and `require` installed, no Action code yet. A worker prepares the next one while it
 * waits for a request, so a login pays only for running its Action; each one is used once, then
 * disposed — nothing of a script outlives its execution.
 */
export class PreparedExecution {
  readonly #runtime: QuickJSRuntime;
  readonly #context: QuickJSContext;
  readonly #scope = new Scope();
  readonly #execution = new Execution();
  readonly #run: (request: SandboxRequest) => void;
  #used = false;

  constructor(quickjs: QuickJSWASMModule) {
    const execution = this.#execution;
    this.#runtime = quickjs.newRuntime();
    // QuickJS polls this while it runs code; true stops the script with an uncatchable error.
    this.#runtime.setInterruptHandler(() => {
      if (execution.failure) return true;
      if (performance.now() <= execution.deadline) return false;
      execution.fail('action_timeout', `stopped after ${execution.timeoutMs} ms`);
      return true;
    });
    this.#context = this.#runtime.newContext();
    try {
      this.#run = prepare(this.#context, this.#execution, this.#scope);
    } catch (error) {
      this.dispose();
      throw error;
    }
  }

  /** Runs the request; throws only when the WebAssembly module itself broke. */
  run(request: SandboxRequest): SandboxResult {
    if (this.#used) throw new TypeError('a PreparedExecution runs once');
    this.#used = true;
    const started = performance.now();
    const { limits } = request;
    const execution = this.#execution;
    execution.logLimitBytes = limits.logLimitBytes;
    execution.timeoutMs = limits.timeoutMs;
    execution.deadline = started + limits.timeoutMs;
    execution.redirect = {
      ...(request.entry ? { entry: request.entry } : {}),
      ...(request.redirect ? { redirect: request.redirect } : {}),
      ...(request.continueParams ? { continueParams: request.continueParams } : {}),
    };
    execution.cache = {
      now: request.cache?.now ?? Date.now(),
      entries: new Map(Object.entries(request.cache?.entries ?? {})),
    };
    this.#runtime.setMemoryLimit(limits.memoryLimitBytes);
    this.#runtime.setMaxStackSize(limits.maxStackBytes);
    this.#run(request);
    return {
      ...(execution.failure ? { failure: execution.failure } : {}),
      calls: execution.failure ? [] : execution.calls,
      logs: execution.logs,
      durationMs: performance.now() - started,
    };
  }

  dispose(): void {
    this.#scope.dispose();
    if (this.#context.alive) this.#context.dispose();
    if (this.#runtime.alive) this.#runtime.dispose();
  }
}

/**
 * Runs one Action in a fresh QuickJS runtime and context of `quickjs`, synchronously: top-level code,
 * then (in `run` mode) `onExecutePostLogin(event, api)`, then the promise's jobs until it settles.
 * The runtime is disposed before returning. Throws only when the WebAssembly module itself broke.
 */
export function runInQuickJs(quickjs: QuickJSWASMModule, request: SandboxRequest): SandboxResult {
  const prepared = new PreparedExecution(quickjs);
  try {
    return prepared.run(request);
  } finally {
    prepared.dispose();
  }
}

/** Installs what every execution needs; returns the function that runs one request. */
function prepare(
  context: QuickJSContext,
  execution: Execution,
  scope: Scope,
): (request: SandboxRequest) => void {
  const runtime = context.runtime;
  const intrinsics = capturePristineIntrinsics(context, scope);
  const deepFreeze = scope.manage(
    context.unwrapResult(
      context.evalCode(SANDBOX_PRELUDE, 'stepup:prelude.js', { type: 'global', strict: true }),
    ),
  );
  const freeze = (handle: QuickJSHandle) => {
    context.unwrapResult(context.callFunction(deepFreeze, context.undefined, handle)).dispose();
  };
  /** Stops the script: the failure is recorded first, so a `catch` in the script changes nothing. */
  const stop = (code: ActionErrorCode, detail: string): never => {
    execution.fail(code, detail);
    throw new Error(detail);
  };
  /**
   * A host function for the sandbox. Whatever goes wrong on the host side — a bug, the native stack
   * running out under a deeply recursing script — fails the execution before the error reaches the
   * script, where a `catch` could swallow it.
   */
  const hostFunction = <Args extends QuickJSHandle[]>(
    name: string,
    body: (this: QuickJSHandle, ...args: Args) => QuickJSHandle | undefined,
  ) =>
    context.newFunction(name, function (this: QuickJSHandle, ...args: QuickJSHandle[]) {
      try {
        return body.apply(this, args as Args);
      } catch (error) {
        const overflow = error instanceof RangeError && /call stack/i.test(error.message);
        execution.fail(
          overflow ? 'action_stack_overflow' : 'action_sandbox_failed',
          `host: ${String(error)}`,
        );
        throw error;
      }
    });

  // api: one host function per method, each validating and recording its call and returning api. The
  // methods Stepup lacks share one function that fails the execution, naming the group it was called on.
  const api = scope.manage(context.newObject());
  const groups = new Map<string, QuickJSHandle>();
  const groupOf = (name: string) => {
    let group = groups.get(name);
    if (!group) {
      group = scope.manage(context.newObject());
      groups.set(name, group);
      context.setProp(api, name, group);
    }
    return group;
  };
  const readArguments = (...handles: (QuickJSHandle | undefined)[]) =>
    handles.map((arg) => (arg ? readArgument(context, intrinsics, arg) : { kind: 'undefined' as const }));
  for (const method of POST_LOGIN_API_METHODS) {
    const [groupName = '', name = ''] = method.split('.');
    const answering = (ANSWERING_API_METHODS as readonly string[]).includes(method);
    const recorder = hostFunction(name, (a, b, c) => {
      const args = readArguments(a, b, c);
      if (answering) {
        const answer =
          groupName === 'cache'
            ? answerCacheMethod(method as 'cache.get' | 'cache.set' | 'cache.delete', args, execution.cache)
            : answerRedirectMethod(
                method as 'redirect.encodeToken' | 'redirect.validateToken',
                args,
                execution.redirect,
              );
        if (!answer.ok) return stop(answer.failure.code, answer.failure.detail);
        if ('call' in answer && answer.call && !execution.failure) execution.calls.push(answer.call);
        if (answer.value === undefined) return context.undefined;
        const text = scope.manage(context.newString(JSON.stringify(answer.value)));
        return context.unwrapResult(context.callFunction(intrinsics.parse, context.undefined, text));
      }
      const problem =
        method === 'redirect.sendUserTo' && sendUserToProblem(execution.redirect, execution.calls);
      if (problem) stop('action_invalid_call', problem);
      const checked = validateApiCall(method, args);
      if (!checked.ok) stop(checked.failure.code, checked.failure.detail);
      else if (!execution.failure) execution.calls.push(checked.call);
      return api.dup();
    });
    context.setProp(groupOf(groupName), name, recorder);
    recorder.dispose();
  }
  const unsupported = scope.manage(
    hostFunction('unsupported', function (this: QuickJSHandle) {
      const group = [...groups].find(([, handle]) => context.sameValue(handle, this))?.[0];
      const methods = UNSUPPORTED_API_METHODS.filter((method) => method.startsWith(`${group}.`));
      return stop(
        'action_unsupported_api',
        `${methods.map((method) => `api.${method}`).join(', ')} is not available in Stepup`,
      );
    }),
  );
  for (const method of UNSUPPORTED_API_METHODS) {
    const [groupName = '', name = ''] = method.split('.');
    context.setProp(groupOf(groupName), name, unsupported);
  }
  freeze(api);

  // require: the allow-listed module (`crypto`, the only one) is built inside this context on first
  // use (see `crypto-module.ts`); anything else stops the script, naming what it may load. A script
  // that tampers with the built-ins may reach the host primitive itself: it takes only strings and
  // checks each of them, so that gives nothing the module does not.
  let cryptoModule: QuickJSHandle | undefined;
  const loadCryptoModule = () => {
    if (cryptoModule) return cryptoModule;
    const primitive = scope.manage(
      hostFunction('host', (...args) => {
        const strings = args.map((arg) => (context.typeof(arg) === 'string' ? context.getString(arg) : ''));
        try {
          return context.newString(runCryptoOperation(strings));
        } catch (error) {
          if (!(error instanceof CryptoCallError)) throw error;
          return stop('action_invalid_call', `require("crypto"): ${error.message}`);
        }
      }),
    );
    const factory = scope.manage(
      context.unwrapResult(
        context.evalCode(CRYPTO_MODULE_SOURCE, 'stepup:crypto.js', { type: 'global', strict: true }),
      ),
    );
    cryptoModule = scope.manage(
      context.unwrapResult(context.callFunction(factory, context.undefined, primitive)),
    );
    return cryptoModule;
  };
  const require = scope.manage(
    hostFunction('require', (name) => {
      const module = name && context.typeof(name) === 'string' ? context.getString(name) : '?';
      if (isAllowedModule(module)) return loadCryptoModule().dup();
      return stop(
        'action_module_unavailable',
        `require(${JSON.stringify(module)}): Actions can load only ${ACTION_MODULES.join(', ')}`,
      );
    }),
  );

  const consoleObject = scope.manage(context.newObject());
  for (const level of ['log', 'info', 'warn', 'error', 'debug']) {
    const write = hostFunction(level, (...args) => {
      const line = args.map((arg) => describeValue(context, intrinsics, arg)).join(' ');
      if (!execution.addLog(level, line)) {
        stop('action_log_limit', `console output passed ${execution.logLimitBytes} bytes`);
      }
      return undefined;
    });
    context.setProp(consoleObject, level, write);
    write.dispose();
  }
  freeze(consoleObject);
  context.setProp(context.global, 'console', consoleObject);

  return (request) => run(request);
  function run(request: SandboxRequest): void {
    const eventJson = scope.manage(context.newString(request.eventJson));
    const event = scope.manage(
      context.unwrapResult(context.callFunction(intrinsics.parse, context.undefined, eventJson)),
    );
    freeze(event);

    /** Records why the script stopped: a limit the host set, or what the script threw. */
    const failWith = (error: QuickJSHandle) => {
      if (execution.failure) return;
      const detail = describeValue(context, intrinsics, error);
      if (/^InternalError: out of memory/.test(detail)) execution.fail('action_out_of_memory', detail);
      else if (/^\w*Error: (stack overflow|Maximum call stack)/.test(detail)) {
        execution.fail('action_stack_overflow', detail);
      } else execution.fail('action_threw', detail);
    };

    const compiled = context.evalCode(wrapActionCode(request.code), request.filename, { type: 'global' });
    if (compiled.error) {
      failWith(scope.manage(compiled.error));
      // A script that does not compile never ran: it is invalid, not a throw.
      if (execution.failure?.code === 'action_threw' && execution.failure.detail.startsWith('SyntaxError')) {
        execution.failure = { code: 'action_invalid', detail: execution.failure.detail };
      }
      return;
    }
    const factory = scope.manage(compiled.value);
    if (context.typeof(factory) !== 'function') {
      execution.fail('action_invalid', 'the script must be a CommonJS module body');
      return;
    }

    // CommonJS: module.exports, with `this` and `exports` the same object at first.
    const module = scope.manage(context.newObject());
    const exports = scope.manage(context.newObject());
    context.setProp(module, 'exports', exports);
    const loaded = context.callFunction(factory, exports, exports, module, require);
    if (loaded.error) {
      failWith(scope.manage(loaded.error));
      return;
    }
    loaded.value.dispose();
    const exported = scope.manage(context.getProp(module, 'exports'));
    const exportedType = context.typeof(exported);
    const entryName = request.mode === 'run' ? (request.entry ?? 'onExecutePostLogin') : 'onExecutePostLogin';
    const entry =
      exportedType === 'object' || exportedType === 'function'
        ? scope.manage(context.getProp(exported, entryName))
        : undefined;
    if (!entry || context.typeof(entry) !== 'function') {
      // 'unknown': a getter on module.exports or the entry threw.
      execution.fail('action_invalid', `exports.${entryName} must be a function`);
      return;
    }
    if (request.mode === 'load' || execution.failure) return;

    const called = context.callFunction(entry, context.undefined, event, api);
    if (called.error) {
      failWith(scope.manage(called.error));
      return;
    }
    const returned = scope.manage(called.value);

    for (;;) {
      const state = context.getPromiseState(returned);
      if (state.type === 'rejected') {
        failWith(scope.manage(state.error));
        return;
      }
      if (state.type === 'fulfilled') {
        const value = state.notAPromise ? state.value : scope.manage(state.value);
        // `return api.access.deny(…)` is an Auth0 idiom; any other value is a mistake.
        if (context.typeof(value) !== 'undefined' && !context.sameValue(value, api)) {
          execution.fail('action_invalid', `${entryName} must return nothing (or api)`);
        }
        return;
      }
      if (execution.failure) return;
      const jobs = runtime.executePendingJobs();
      if (jobs.error) {
        failWith(scope.manage(jobs.error));
        return;
      }
      if (jobs.value === 0) {
        execution.fail('action_did_not_settle', `the promise of ${entryName} never settles`);
        return;
      }
    }
  }
}
