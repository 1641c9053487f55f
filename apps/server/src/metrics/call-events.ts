/** The call event contract (client-core's events.ts), in one place for the metrics engine. */
export type {
  CallEvent,
  CallEventSink,
  CallInfo,
  CallSource,
  DoneEvent,
  FailedEvent,
} from '@lookout/client-core';
export { OUTCOMES as CALL_OUTCOMES } from '@lookout/client-core';
