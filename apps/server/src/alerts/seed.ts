import type { Rule } from '@lookout/contracts';

/**
 * The rules a new database starts with (written once, by the migration that creates the tables, so
 * removing them sticks). They notify every webhook (`*`); all of them can be edited or removed.
 */
export const SEEDED_RULES: readonly Rule[] = [
  {
    id: 'target-down',
    name: 'Target down',
    metric: 'target_down',
    scope: { target: '*', model: '*' },
    window: '1m',
    op: '>',
    threshold: 0.5,
    // The prober already needs two failed rounds before it calls a target down.
    forSec: 0,
    minSamples: 0,
    severity: 'critical',
    enabled: true,
    notify: ['*'],
  },
  {
    id: 'timeouts',
    name: 'Timeouts in the last 5 minutes',
    metric: 'timeouts',
    scope: { target: '*', model: '*' },
    window: '5m',
    op: '>',
    threshold: 0,
    forSec: 0,
    minSamples: 0,
    severity: 'warning',
    enabled: true,
    notify: ['*'],
  },
  {
    id: 'latency-p99',
    name: 'p99 latency over 60 s',
    metric: 'latency_p99_ms',
    scope: { target: '*', model: '*' },
    window: '5m',
    op: '>',
    threshold: 60_000,
    forSec: 300,
    recoverThreshold: 45_000,
    minSamples: 5,
    severity: 'warning',
    enabled: true,
    notify: ['*'],
  },
  {
    id: 'queue-depth',
    name: 'Queue depth over 20',
    metric: 'queue_depth',
    scope: { target: '*', model: '*' },
    window: '1m',
    op: '>',
    threshold: 20,
    forSec: 120,
    recoverThreshold: 10,
    minSamples: 0,
    severity: 'warning',
    enabled: true,
    notify: ['*'],
  },
];
