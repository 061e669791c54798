import type { QuickJSContext, QuickJSHandle, Scope } from 'quickjs-emscripten';
import type { SandboxArgument } from '../post-login-api.ts';

/** A single argument larger than this, as JSON, is refused before it is parsed on the host. */
const MAX_ARGUMENT_CHARS = 64 * 1024;
const MAX_LINE_CHARS = 2000;

/**
 * Built-ins of one context, taken before any Action code runs: whatever the Action later does to
 * `JSON` or the prototypes, the host reads its values with these.
 */
export interface PristineIntrinsics {
  stringify: QuickJSHandle;
  parse: QuickJSHandle;
  isPrototypeOf: QuickJSHandle;
  errorPrototype: QuickJSHandle;
}

/** Takes the intrinsics from a context no Action code has run in yet. */
export function capturePristineIntrinsics(context: QuickJSContext, scope: Scope): PristineIntrinsics {
  const get = (from: QuickJSHandle, name: string) => scope.manage(context.getProp(from, name));
  const json = get(context.global, 'JSON');
  const objectPrototype = get(get(context.global, 'Object'), 'prototype');
  return {
    stringify: get(json, 'stringify'),
    parse: get(json, 'parse'),
    isPrototypeOf: get(objectPrototype, 'isPrototypeOf'),
    errorPrototype: get(get(context.global, 'Error'), 'prototype'),
  };
}

/** The value as JSON text, or undefined when JSON can not represent it (or a `toJSON` threw). */
function toJsonText(context: QuickJSContext, intrinsics: PristineIntrinsics, handle: QuickJSHandle) {
  const serialized = context.callFunction(intrinsics.stringify, context.undefined, handle);
  if (serialized.error) {
    serialized.error.dispose();
    return undefined;
  }
  return serialized.value.consume((value) =>
    context.typeof(value) === 'string' ? context.getString(value) : undefined,
  );
}

/**
 * Copies one argument of an `api` call out of the sandbox as plain data. Objects go through the
 * pristine `JSON.stringify`, so only own enumerable data crosses; functions, symbols and the like
 * are reported by type and refused by the validation.
 */
export function readArgument(
  context: QuickJSContext,
  intrinsics: PristineIntrinsics,
  handle: QuickJSHandle,
): SandboxArgument {
  const type = context.typeof(handle);
  if (type === 'undefined') return { kind: 'undefined' };
  if (type === 'string') return { kind: 'json', value: context.getString(handle) };
  if (type === 'boolean') return { kind: 'json', value: context.dump(handle) === true };
  if (type === 'number') {
    const value = context.getNumber(handle);
    return Number.isFinite(value) ? { kind: 'json', value } : { kind: 'other', type: 'non-finite number' };
  }
  if (type !== 'object') return { kind: 'other', type };
  const text = toJsonText(context, intrinsics, handle);
  if (text === undefined) return { kind: 'other', type: 'value JSON can not represent' };
  if (text.length > MAX_ARGUMENT_CHARS) return { kind: 'other', type: 'value too large' };
  return { kind: 'json', value: JSON.parse(text) };
}

/** An own-or-inherited string property, read without running a getter's result through `toString`. */
function readString(context: QuickJSContext, handle: QuickJSHandle, name: string): string | undefined {
  const value = context.getProp(handle, name);
  try {
    // 'unknown' is how a getter that threw comes back.
    return context.typeof(value) === 'string' ? context.getString(value) : undefined;
  } finally {
    value.dispose();
  }
}

/**
 * One line for a console argument or a thrown value: strings as they are, errors as `Name: message
 * (where)`, other values as JSON. Never calls the value's own `toString`.
 */
export function describeValue(
  context: QuickJSContext,
  intrinsics: PristineIntrinsics,
  handle: QuickJSHandle,
): string {
  const type = context.typeof(handle);
  if (type === 'string') return context.getString(handle).slice(0, MAX_LINE_CHARS);
  if (type === 'number' || type === 'boolean' || type === 'undefined' || type === 'bigint') {
    return String(context.dump(handle));
  }
  if (type !== 'object') return `[${type}]`;
  const isError = context.callFunction(intrinsics.isPrototypeOf, intrinsics.errorPrototype, handle);
  if (isError.error) {
    isError.error.dispose();
    return '[unprintable value]';
  }
  if (isError.value.consume((value) => context.dump(value) === true)) {
    const name = readString(context, handle, 'name') ?? 'Error';
    const message = readString(context, handle, 'message') ?? '';
    const where = readString(context, handle, 'stack')?.split('\n')[0]?.trim();
    return `${name}: ${message}${where ? ` (${where})` : ''}`.slice(0, MAX_LINE_CHARS);
  }
  return (toJsonText(context, intrinsics, handle) ?? '[unprintable value]').slice(0, MAX_LINE_CHARS);
}
