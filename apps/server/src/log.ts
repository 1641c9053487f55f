import { pino } from 'pino';

export type Logger = pino.Logger;

/**
 * Fields removed from every log line, wherever they sit one level down: the code logs none of them
 * (prompts, tokens and relay keys are never passed to the logger), this is the second line of defence
 * for an object that might carry one.
 */
const REDACTED_PATHS = [
  'token',
  'adminToken',
  'relayKeys',
  'authorization',
  'cookie',
  'body',
  'prompt',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  '*.token',
  '*.adminToken',
  '*.relayKeys',
  '*.authorization',
  '*.prompt',
];

/** The process logger: JSON lines on stdout, or on `destination` (tests capture it there). */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: null,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    destination,
  );
}
