/** Test helper: a sink that records every call event. */
import type { CallEvent, CallEventSink } from '../events.ts';

export interface RecordingSink extends CallEventSink {
  readonly events: CallEvent[];
  types(): string[];
  terminals(): CallEvent[];
  of<T extends CallEvent['type']>(type: T): Extract<CallEvent, { type: T }>[];
}

export function recordingSink(): RecordingSink {
  const events: CallEvent[] = [];
  return {
    events,
    onEvent: (event) => {
      events.push(event);
    },
    types: () => events.map((e) => e.type),
    terminals: () => events.filter((e) => e.type === 'done' || e.type === 'failed'),
    of: <T extends CallEvent['type']>(type: T) =>
      events.filter((e): e is Extract<CallEvent, { type: T }> => e.type === type),
  };
}
