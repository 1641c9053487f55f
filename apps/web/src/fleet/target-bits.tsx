import type { LoadedModel, TargetHealth } from '@lookout/contracts';
import { formatBytes, formatClock } from '../core/format.ts';
import { routeHref } from '../core/route.ts';

const HEALTH_TEXT: Record<TargetHealth, string> = { up: 'up', down: 'down', unknown: 'not probed yet' };

export function HealthBadge({ health, testId }: { health: TargetHealth; testId?: string }) {
  return (
    <span className={`health health-${health}`} data-testid={testId} data-health={health}>
      <span className="health-dot" aria-hidden="true" />
      {HEALTH_TEXT[health]}
    </span>
  );
}

/** Models resident on a target, with the memory they hold on the GPU. */
export function LoadedModels({ target, models }: { target: string; models: readonly LoadedModel[] }) {
  if (models.length === 0) return <p className="muted small">No model loaded</p>;
  return (
    <ul className="loaded-models" aria-label={`Models loaded on ${target}`}>
      {models.map((m) => {
        const partial = m.sizeVramBytes < m.sizeBytes;
        return (
          <li key={m.name}>
            <a href={routeHref({ page: 'model', target, model: m.name })}>{m.name}</a>
            <span className="muted">
              {' '}
              <span className="num">{formatBytes(m.sizeVramBytes)}</span> VRAM
              {partial && (
                <>
                  {' '}
                  of <span className="num">{formatBytes(m.sizeBytes)}</span>
                </>
              )}{' '}
              · until <span className="num">{formatClock(m.expiresAt)}</span>
            </span>
          </li>
        );
      })}
    </ul>
  );
}
