/**
 * JavaScript evaluated in each fresh QuickJS context before the Action's own code: `deepFreeze`,
 * which freezes a value and everything it holds (the event). It captures `Object.freeze` and
 * `Object.getOwnPropertyNames` while they are pristine.
 *
 * Everything else the sandbox needs (`api`, `console`, `require`, loading the module, reading values)
 * is done by the host through QuickJS's API: QuickJS compiles about a token per microsecond, and each
 * execution would compile the prelude again in its fresh context.
 */
export const SANDBOX_PRELUDE = `(function () {
  'use strict';
  var freeze = Object.freeze, names = Object.getOwnPropertyNames;
  return function deepFreeze(value) {
    if (typeof value === 'object' && value !== null) {
      for (var keys = names(value), i = 0; i < keys.length; i++) deepFreeze(value[keys[i]]);
      freeze(value);
    }
    return value;
  };
})()`;

/**
 * Wraps an Action like Node wraps a CommonJS module, keeping line numbers: `exports`, `module` and
 * `require` are parameters, top-level declarations stay local to the Action.
 */
export function wrapActionCode(code: string): string {
  return `(function (exports, module, require) {${code}\n})`;
}
