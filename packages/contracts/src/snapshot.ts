import { z } from 'zod';
import { AlertStateSchema } from './alerts.ts';
import { StatsSchema, TargetStateSchema } from './stats.ts';
import { IsoTimeSchema } from './time.ts';

/** What the dashboard, `GET /api/snapshot` and the WebSocket's first message carry. */
export const SnapshotSchema = z.object({
  at: IsoTimeSchema,
  targets: z.array(TargetStateSchema),
  /** All application calls, whatever target they reached (or none). */
  fleet: StatsSchema,
  alerts: z.array(AlertStateSchema),
});
export type Snapshot = z.infer<typeof SnapshotSchema>;
