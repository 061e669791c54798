import pino, { type Logger } from 'pino';

/** Structured logs; anything that could carry a credential is redacted even if a caller slips. */
export function createLogger(level: string): Logger {
  return pino({
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
  });
}
