/** The logging the app does: pino's call shape, so the demo can hand it the provider's logger. */
export interface SalaryLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** One JSON line per entry on stdout (info) or stderr (warn, error), as pino would write it. */
export function createConsoleLogger(): SalaryLogger {
  const write = (level: number, stream: NodeJS.WriteStream, fields: Record<string, unknown>, msg: string) =>
    stream.write(`${JSON.stringify({ level, time: Date.now(), name: 'salary', ...fields, msg })}\n`);
  return {
    info: (fields, message) => write(30, process.stdout, fields, message),
    warn: (fields, message) => write(40, process.stderr, fields, message),
    error: (fields, message) => write(50, process.stderr, fields, message),
  };
}
