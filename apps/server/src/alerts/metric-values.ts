import type { AlertScope, Rule, RuleMetric, Snapshot, Stats, TargetState, Window } from '@lookout/contracts';
import { CLIENT_SIDE_OUTCOMES } from '@lookout/contracts';

/** A rule's metric on one scope: the value (null when there is none) and the calls it comes from. */
export interface MetricReading {
  readonly value: number | null;
  readonly samples: number;
}

/** One concrete scope a rule covers now, with its reading. */
export interface ScopedReading {
  readonly scope: AlertScope;
  readonly reading: MetricReading;
}

/** Metrics read from a gate's gauge or the probe's health: one sample, no window. */
export const INSTANT_METRICS: ReadonlySet<RuleMetric> = new Set(['queue_depth', 'in_flight', 'target_down']);

const NONE: MetricReading = { value: null, samples: 0 };

/**
 * The scopes `rule` covers in `snapshot`, each with its reading. A `*` target means one alert per
 * configured target; a `*` model means the target's traffic over all models (one alert per target,
 * not per model: models come and go with every client's `model` string). A named target that is not
 * configured still yields its alert, with no data, so a typo or a removed target shows instead of
 * watching nothing.
 */
export function readRule(rule: Rule, snapshot: Snapshot): ScopedReading[] {
  const { target: targetName, model } = rule.scope;
  const targets =
    targetName === '*' ? snapshot.targets : snapshot.targets.filter((t) => t.name === targetName);
  if (targets.length === 0 && targetName !== '*') {
    return [{ scope: { target: targetName, model }, reading: NONE }];
  }
  return targets.map((target) => ({
    scope: { target: target.name, model },
    reading: readMetric(rule, target, model === '*' ? target.stats : target.models[model]),
  }));
}

/**
 * The value of `rule.metric` on one target (and model). `stats` undefined means the model had no call
 * in 15 minutes and nothing queued: counts read 0, gauges 0, quantiles none.
 *
 * `error_rate` is `(requests - ok - client_abort - bad_request) / requests`, as the history charts
 * compute it: a client that goes away or sends a malformed request is not a failure of the fleet, and
 * counting it would page the team for what users do (slowness that makes users leave shows in latency).
 */
export function readMetric(rule: Rule, target: TargetState, stats: Stats | undefined): MetricReading {
  switch (rule.metric) {
    case 'target_down':
      if (target.health === 'unknown') return NONE;
      return { value: target.health === 'down' ? 1 : 0, samples: 1 };
    case 'queue_depth':
      return { value: stats?.queueDepth ?? 0, samples: 1 };
    case 'in_flight':
      return { value: stats?.inFlight ?? 0, samples: 1 };
    default:
      return readWindow(rule.metric, stats?.windows[rule.window]);
  }
}

function readWindow(metric: RuleMetric, window: Window | undefined): MetricReading {
  if (!window) return metric === 'timeouts' ? { value: 0, samples: 0 } : NONE;
  switch (metric) {
    case 'latency_p50_ms':
      return quantile(window.latencyMs, 'p50');
    case 'latency_p95_ms':
      return quantile(window.latencyMs, 'p95');
    case 'latency_p99_ms':
      return quantile(window.latencyMs, 'p99');
    case 'ttft_p95_ms':
      return quantile(window.ttftMs, 'p95');
    case 'ttft_p99_ms':
      return quantile(window.ttftMs, 'p99');
    case 'tokens_per_sec_p50':
      return quantile(window.tokensPerSec, 'p50');
    case 'timeouts':
      return { value: window.timeouts, samples: window.requests };
    case 'error_rate': {
      if (window.requests === 0) return NONE;
      let notErrors = window.outcomes.ok ?? 0;
      for (const outcome of CLIENT_SIDE_OUTCOMES) notErrors += window.outcomes[outcome] ?? 0;
      return { value: (window.requests - notErrors) / window.requests, samples: window.requests };
    }
    default:
      return NONE;
  }
}

function quantile(q: Window['latencyMs'], which: 'p50' | 'p95' | 'p99'): MetricReading {
  return q ? { value: q[which], samples: q.count } : NONE;
}
