import { pino } from 'pino';

export type Logger = pino.Logger;

/**
 * The process logger: JSON lines on stdout. Prompts, tokens and relay keys are never logged; the
 * `redact` list is the second line of defence for fields that might carry them.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: null,
      redact: {
        paths: [
          'token',
          'adminToken',
          'headers.authorization',
          'req.headers.authorization',
          'body',
          'prompt',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
