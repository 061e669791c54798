import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Structured logs; anything that could carry a credential is redacted even if a caller slips. They go
 * to stdout, or to `destination` (tests read what was logged).
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'stepup-idp' },
    redact: {
      paths: [
        'password',
        'code',
        'secret',
        'token',
        '*.password',
        '*.code',
        '*.secret',
        '*.token',
        'req.headers.authorization',
        'req.headers.cookie',
      ],
      censor: '[redacted]',
    },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
