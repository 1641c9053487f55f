/**
 * The app's places, kept in the URL hash so any page can be linked (alert webhooks link to
 * `#/alerts?rule=...&target=...&model=...`) and the server needs no fallback route for deep links.
 */
export type Route =
  | { readonly page: 'fleet' }
  | { readonly page: 'target'; readonly target: string }
  | { readonly page: 'model'; readonly target: string; readonly model: string }
  | { readonly page: 'alerts'; readonly rule?: string; readonly target?: string; readonly model?: string }
  | { readonly page: 'test-prompt'; readonly runId?: string }
  | { readonly page: 'not-found'; readonly path: string };

/** `#/targets/gpu-a/models/llama3.2%3A1b` -> the model page of llama3.2:1b on gpu-a. */
export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const [pathPart = '', queryPart = ''] = raw.split('?', 2);
  const segments = pathPart.split('/').filter((s) => s !== '');
  let parts: string[];
  try {
    parts = segments.map((s) => decodeURIComponent(s));
  } catch {
    return { page: 'not-found', path: pathPart };
  }
  const query = new URLSearchParams(queryPart);
  const [first, second, third, fourth, ...rest] = parts;
  if (first === undefined) return { page: 'fleet' };
  if (first === 'targets' && second !== undefined && rest.length === 0) {
    if (third === undefined) return { page: 'target', target: second };
    if (third === 'models' && fourth !== undefined) return { page: 'model', target: second, model: fourth };
  }
  if (first === 'alerts' && second === undefined) {
    const route: { page: 'alerts'; rule?: string; target?: string; model?: string } = { page: 'alerts' };
    for (const key of ['rule', 'target', 'model'] as const) {
      const value = query.get(key);
      if (value) route[key] = value;
    }
    return route;
  }
  if (first === 'test-prompt' && third === undefined) {
    return second === undefined ? { page: 'test-prompt' } : { page: 'test-prompt', runId: second };
  }
  return { page: 'not-found', path: pathPart };
}

/** The `href` of a route. */
export function routeHref(route: Route): string {
  const e = encodeURIComponent;
  switch (route.page) {
    case 'fleet':
      return '#/';
    case 'target':
      return `#/targets/${e(route.target)}`;
    case 'model':
      return `#/targets/${e(route.target)}/models/${e(route.model)}`;
    case 'alerts': {
      const query = new URLSearchParams();
      for (const key of ['rule', 'target', 'model'] as const) {
        const value = route[key];
        if (value !== undefined) query.set(key, value);
      }
      const text = query.toString();
      return text ? `#/alerts?${text}` : '#/alerts';
    }
    case 'test-prompt':
      return route.runId === undefined ? '#/test-prompt' : `#/test-prompt/${e(route.runId)}`;
    case 'not-found':
      return `#${route.path}`;
  }
}
