import type { Redis } from 'ioredis';

/** A Lua script run atomically by Redis; its first `numberOfKeys` arguments are keys. */
export interface RedisScript {
  name: string;
  lua: string;
  numberOfKeys: number;
}

type ScriptCommand = (...args: (string | number)[]) => Promise<unknown>;

const defined = new WeakMap<Redis, Set<string>>();

/**
 * Runs the script by its SHA (EVALSHA), loading it again when Redis forgot it, e.g. after a restart:
 * ioredis' `defineCommand` does both.
 */
export function runScript(
  redis: Redis,
  script: RedisScript,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  if (keys.length !== script.numberOfKeys) {
    throw new TypeError(`script ${script.name} takes ${script.numberOfKeys} keys, got ${keys.length}`);
  }
  let names = defined.get(redis);
  if (names === undefined) {
    names = new Set();
    defined.set(redis, names);
  }
  if (!names.has(script.name)) {
    redis.defineCommand(script.name, { lua: script.lua, numberOfKeys: script.numberOfKeys });
    names.add(script.name);
  }
  // defineCommand adds the command as a method at run time; TypeScript cannot know its name.
  const command = (redis as unknown as Record<string, ScriptCommand>)[script.name];
  if (command === undefined) throw new Error(`script ${script.name} was not defined`);
  return command.call(redis, ...keys, ...args);
}
