import type { AlertState } from '@lookout/contracts';
import { routeHref } from '../core/route.ts';
import { describeScope, METRIC_INFO } from './metric-info.ts';

const SHOWN = 3;

/**
 * What is firing, on every page. The region is always in the document (empty when calm) so screen
 * readers announce alerts as they start.
 */
export function AlertBanner({ alerts }: { alerts: readonly AlertState[] }) {
  const firing = alerts.filter((a) => a.state === 'firing');
  const critical = firing.some((a) => a.severity === 'critical');
  return (
    <section
      className={`alert-banner${firing.length === 0 ? ' is-empty' : ''}${critical ? ' is-critical' : ''}`}
      aria-live="polite"
      aria-label="Firing alerts"
      data-testid="alert-banner"
      data-firing={firing.length}
    >
      {firing.length > 0 && (
        <div className="alert-banner-inner">
          <strong>
            {firing.length} alert{firing.length === 1 ? '' : 's'} firing
          </strong>
          <ul>
            {firing.slice(0, SHOWN).map((a) => (
              <li key={`${a.ruleId}|${a.scope.target}|${a.scope.model}`} data-testid={`firing-${a.ruleId}`}>
                <a
                  href={routeHref({
                    page: 'alerts',
                    rule: a.ruleId,
                    target: a.scope.target,
                    model: a.scope.model,
                  })}
                >
                  <span className={`badge severity-${a.severity}`}>{a.severity}</span> {a.ruleName} on{' '}
                  {describeScope(a.scope)}: {METRIC_INFO[a.metric].format(a.value)} (threshold{' '}
                  {METRIC_INFO[a.metric].format(a.threshold)})
                </a>
              </li>
            ))}
          </ul>
          {firing.length > SHOWN && (
            <a href={routeHref({ page: 'alerts' })}>and {firing.length - SHOWN} more</a>
          )}
        </div>
      )}
    </section>
  );
}
