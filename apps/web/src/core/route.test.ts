import { describe, expect, it } from 'vitest';
import { parseRoute, type Route, routeHref } from './route.ts';

describe('routes', () => {
  it('parses every page', () => {
    expect(parseRoute('')).toEqual({ page: 'fleet' });
    expect(parseRoute('#/')).toEqual({ page: 'fleet' });
    expect(parseRoute('#/targets/gpu-a')).toEqual({ page: 'target', target: 'gpu-a' });
    expect(parseRoute('#/targets/gpu-a/models/llama3.2%3A1b')).toEqual({
      page: 'model',
      target: 'gpu-a',
      model: 'llama3.2:1b',
    });
    expect(parseRoute('#/test-prompt/run-1')).toEqual({ page: 'test-prompt', runId: 'run-1' });
    expect(parseRoute('#/nowhere/else')).toEqual({ page: 'not-found', path: '/nowhere/else' });
  });

  it('reads the alert links that webhooks send', () => {
    expect(parseRoute('#/alerts?rule=depth&target=gpu-1&model=*')).toEqual({
      page: 'alerts',
      rule: 'depth',
      target: 'gpu-1',
      model: '*',
    });
  });

  it('round-trips names with slashes, colons and spaces', () => {
    const routes: Route[] = [
      { page: 'fleet' },
      { page: 'model', target: 'gpu a/1', model: 'library/qwen3:8b' },
      { page: 'alerts', rule: 'r 1', target: 'gpu-a' },
      { page: 'test-prompt' },
    ];
    for (const route of routes) expect(parseRoute(routeHref(route))).toEqual(route);
  });
});
