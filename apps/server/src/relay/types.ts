import type { CallEventSink, UpstreamPool } from '@lookout/client-core';
import type { LookoutConfig } from '../config/index.ts';
import type { Logger } from '../log.ts';
import type { RelayTarget, TargetRegistry } from '../targets/registry.ts';
import type { TargetRouter } from '../targets/router.ts';
import type { RelayDrain } from './drain.ts';

/** What the relay needs from the rest of the process. */
export interface RelayContext {
  readonly config: LookoutConfig;
  readonly registry: TargetRegistry;
  readonly router: TargetRouter<RelayTarget>;
  readonly pool: UpstreamPool;
  readonly sink: CallEventSink;
  readonly log: Logger;
  /** Requests in progress, and the way to stop taking new ones at shutdown. */
  readonly drain: RelayDrain;
}
