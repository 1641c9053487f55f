import type { LoadedModel, TargetConcurrency, TargetHealth } from '@lookout/contracts';
import { formatBytes, formatClock, formatCount } from '../core/format.ts';
import { routeHref } from '../core/route.ts';
import { MODE_HELP } from './concurrency-bits.ts';

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

/** `limit 4 · adaptive`: the target's concurrency limit and how it is set. */
export function LimitChip({ target, concurrency }: { target: string; concurrency: TargetConcurrency }) {
  const { mode, limit } = concurrency;
  return (
    <span
      className={`limit-chip mode-${mode}`}
      data-testid={`concurrency-${target}`}
      data-mode={mode}
      data-limit={limit}
      title={`At most ${limit} calls at once on ${target}: ${MODE_HELP[mode]}`}
    >
      limit <span className="num">{formatCount(limit)}</span> · {mode}
    </span>
  );
}
