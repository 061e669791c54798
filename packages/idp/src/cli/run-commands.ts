import type { CliCommand, CliIo } from './cli-command.ts';
import { UsageError } from './cli-command.ts';

/** A failure a program knows how to report: the line to print and the exit code. */
export interface ReportedFailure {
  message: string;
  exitCode: number;
}

/**
 * The dispatch every CLI of the project shares: pick the command by its words, `--help` on each,
 * usage errors printed with the command's usage (exit 2); other known failures reported through
 * `reportFailure`, anything else thrown. Returns the process exit code.
 */
export async function runCommands(
  program: {
    name: string;
    commands: readonly CliCommand[];
    reportFailure?: (error: unknown) => ReportedFailure | undefined;
  },
  argv: readonly string[],
  io: CliIo,
  err: (line: string) => void,
): Promise<number> {
  const { commands } = program;
  const width = Math.max(...commands.map((command) => command.words.join(' ').length)) + 2;
  const overview = [
    `usage: ${program.name} <command> [options]   (--help after a command for its options)`,
    '',
    ...commands.map((command) => `  ${command.words.join(' ').padEnd(width)} ${command.summary}`),
  ].join('\n');

  const command = commands.find((candidate) => candidate.words.every((word, index) => argv[index] === word));
  if (!command) {
    const help = argv.length === 0 || argv[0] === '--help' || argv[0] === 'help';
    if (help) io.out(overview);
    else err(`unknown command "${argv.join(' ')}"\n\n${overview}`);
    return help ? 0 : 2;
  }
  const args = argv.slice(command.words.length);
  if (args.includes('--help') || args.includes('-h')) {
    io.out(`${command.summary}\n\nusage: ${command.usage}`);
    return 0;
  }
  try {
    await command.run(args, io);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      err(`error: ${error.message}\n\nusage: ${command.usage}`);
      return 2;
    }
    const reported = program.reportFailure?.(error);
    if (!reported) throw error;
    err(reported.message);
    return reported.exitCode;
  }
}
