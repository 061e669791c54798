import { type ParseArgsConfig, parseArgs } from 'node:util';

/** A mistake in how the command was called: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface CliIo {
  out: (line: string) => void;
  env: NodeJS.ProcessEnv;
}

export interface CliCommand {
  /** The words that select the command, e.g. ['user', 'add']. */
  words: readonly string[];
  usage: string;
  summary: string;
  run(args: readonly string[], io: CliIo): Promise<void>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** The values of parsed options: booleans for flags, arrays for repeatable options, else strings. */
export interface ParsedCommandArgs<T extends Options> {
  values: {
    [K in keyof T]?: T[K] extends { type: 'boolean' }
      ? boolean
      : T[K] extends { multiple: true }
        ? string[]
        : string;
  };
  positionals: string[];
}

/** Strict argument parsing: unknown options and missing values are usage errors, never ignored. */
export function parseCommandArgs<T extends Options>(
  args: readonly string[],
  options: T,
  positionals: number,
): ParsedCommandArgs<T> {
  let parsed: ParsedCommandArgs<T>;
  try {
    parsed = parseArgs({
      args: [...args],
      options,
      allowPositionals: true,
      strict: true,
    }) as ParsedCommandArgs<T>;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (parsed.positionals.length !== positionals) {
    throw new UsageError(
      `expected ${positionals} argument${positionals === 1 ? '' : 's'}, got ${parsed.positionals.length}`,
    );
  }
  return parsed;
}
