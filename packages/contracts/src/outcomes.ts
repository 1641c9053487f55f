import { z } from 'zod';

/**
 * How a call ended, one per call. The list is duplicated from `@lookout/client-core` (events.ts) on
 * purpose, so this package stays browser-safe and independent; a server test asserts both lists match.
 */
export const OUTCOMES = [
  'ok',
  'timeout_connect',
  'timeout_first_byte',
  'timeout_idle',
  'timeout_total',
  'queue_full',
  'queue_timeout',
  'upstream_busy',
  'upstream_error',
  'network_error',
  'client_abort',
  'bad_request',
] as const;

export const OutcomeSchema = z.enum(OUTCOMES);
export type Outcome = z.infer<typeof OutcomeSchema>;

/** The outcomes summed into a window's `timeouts`. */
export const TIMEOUT_OUTCOMES = [
  'timeout_connect',
  'timeout_first_byte',
  'timeout_idle',
  'timeout_total',
] as const satisfies readonly Outcome[];
