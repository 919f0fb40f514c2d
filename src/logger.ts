/** pino, with every place a secret could appear redacted. */
import pino, { type Logger } from 'pino';

export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'headers.authorization',
        '*.password',
        '*.token',
        '*.bearer_token',
        '*.secret',
        'password',
        'token',
        'secret',
      ],
      censor: '[redacted]',
    },
  });
}
