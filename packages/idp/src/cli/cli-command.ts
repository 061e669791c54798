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

/** Strict argument parsing: unknown options and missing values are usage errors, never ignored. */
export function parseCommandArgs<T extends Options>(
  args: readonly string[],
  options: T,
  positionals: number,
) {
  let parsed: ReturnType<
    typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>
  >;
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
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
