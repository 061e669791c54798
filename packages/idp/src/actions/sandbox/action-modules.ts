/**
 * The Node built-ins an Action may `require` (also as `node:<name>`). Each is built inside the
 * sandbox from plain data: no module, object or function of the host is ever handed in.
 */
export const ACTION_MODULES = ['crypto'] as const;

/** A module an Action may `require`. */
export type ActionModule = (typeof ACTION_MODULES)[number];

/** `crypto` and `node:crypto` name the same module, as in Node. */
export function isAllowedModule(name: string): boolean {
  return (ACTION_MODULES as readonly string[]).includes(name.replace(/^node:/, ''));
}
