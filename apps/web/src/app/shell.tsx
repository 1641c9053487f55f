import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useCallback, useEffect, useRef } from 'react';
import { AlertBanner } from '../alerts/alert-banner.tsx';
import { useApi } from '../api/api-context.tsx';
import { signOut } from '../api/endpoints.ts';
import { queryKeys, snapshotQuery } from '../api/queries.ts';
import type { Route } from '../core/route.ts';
import { routeHref } from '../core/route.ts';
import { FleetPage } from '../fleet/fleet-page.tsx';
import { ModelPage } from '../fleet/model-page.tsx';
import { TargetPage } from '../fleet/target-page.tsx';
import { LiveProvider, useConnectionState, useLastDataAt, useLive, useNow } from '../live/live-context.tsx';
import { ConnectionStatus, describeConnection } from './connection-status.tsx';
import { applyDocumentBadge } from './document-badge.ts';
import { ThemeToggle } from './theme-toggle.tsx';
import { useRoute } from './use-route.ts';

const AlertsPage = lazy(() => import('../alerts/alerts-page.tsx'));
const TestPromptPage = lazy(() => import('../test-prompt/test-prompt-page.tsx'));

const NAV = [
  { page: 'fleet', label: 'Fleet', href: routeHref({ page: 'fleet' }) },
  { page: 'alerts', label: 'Alerts', href: routeHref({ page: 'alerts' }) },
  { page: 'test-prompt', label: 'Test prompt', href: routeHref({ page: 'test-prompt' }) },
] as const;

function section(route: Route): string {
  return route.page === 'target' || route.page === 'model' ? 'fleet' : route.page;
}

function pageTitle(route: Route): string {
  switch (route.page) {
    case 'fleet':
      return 'Fleet';
    case 'target':
      return route.target;
    case 'model':
      return `${route.model} on ${route.target}`;
    case 'alerts':
      return 'Alerts';
    case 'test-prompt':
      return 'Test prompt';
    case 'not-found':
      return 'Not found';
  }
}

/** The signed-in app: header with navigation and the live indicator, the alert banner, the page. */
export function Shell({ onSignedOut }: { onSignedOut: () => void }) {
  const queryClient = useQueryClient();
  // The live socket was refused: a 401 on this request moves the app to the sign-in screen.
  const onRefused = useCallback(() => {
    void queryClient.refetchQueries({ queryKey: queryKeys.snapshot });
  }, [queryClient]);
  return (
    <LiveProvider onRefused={onRefused}>
      <ShellLayout onSignedOut={onSignedOut} />
    </LiveProvider>
  );
}

function ShellLayout({ onSignedOut }: { onSignedOut: () => void }) {
  const api = useApi();
  const route = useRoute();
  const snapshot = useQuery(snapshotQuery(api));
  const alerts = snapshot.data?.alerts ?? [];
  const firing = alerts.filter((a) => a.state === 'firing').length;
  const title = pageTitle(route);
  const mainRef = useRef<HTMLElement>(null);
  const firstRoute = useRef(true);
  const routeKey = routeHref(route);

  useEffect(() => applyDocumentBadge(document, firing, title), [firing, title]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: focus moves when the route changes.
  useEffect(() => {
    if (firstRoute.current) {
      firstRoute.current = false;
      return;
    }
    mainRef.current?.focus();
    window.scrollTo(0, 0);
  }, [routeKey]);

  const logout = useMutation({ mutationFn: () => signOut(api), onSettled: onSignedOut });
  const connection = describeConnection(useConnectionState(), useLastDataAt(), useNow(1_000));
  // Numbers of a connection that stopped delivering are greyed: still readable, visibly not current.
  const stale = connection.tone === 'stale' || connection.tone === 'reconnecting';
  const current = section(route);
  return (
    <>
      <button type="button" className="skip-link" onClick={() => mainRef.current?.focus()}>
        Skip to content
      </button>
      <header className="app-header">
        <a className="brand" href="#/" aria-label="Lookout, fleet overview">
          <span className="brand-mark" aria-hidden="true" />
          <span className="brand-name">Lookout</span>
        </a>
        <nav aria-label="Main" className="main-nav">
          {NAV.map((item) => (
            <a
              key={item.page}
              href={item.href}
              aria-current={current === item.page ? 'page' : undefined}
              data-testid={`nav-${item.page}`}
            >
              {item.label}
              {item.page === 'alerts' && firing > 0 && (
                <span className="nav-count" data-testid="nav-firing-count">
                  <span className="visually-hidden">, firing: </span>
                  {firing}
                </span>
              )}
            </a>
          ))}
        </nav>
        <div className="header-tools">
          <LiveIndicator />
          <ThemeToggle />
          <button
            type="button"
            className="button quiet"
            data-testid="signout"
            onClick={() => logout.mutate()}
            disabled={logout.isPending}
          >
            Sign out
          </button>
        </div>
      </header>
      <AlertBanner alerts={alerts} />
      <main
        id="main"
        ref={mainRef}
        tabIndex={-1}
        className="app-main"
        data-stale={stale ? 'true' : undefined}
      >
        <Suspense fallback={<p className="muted">Loading…</p>}>
          <Page route={route} />
        </Suspense>
      </main>
    </>
  );
}

function LiveIndicator() {
  const live = useLive();
  const state = useConnectionState();
  const lastDataAtMs = useLastDataAt();
  const nowMs = useNow(1_000);
  return (
    <ConnectionStatus
      state={state}
      lastDataAtMs={lastDataAtMs}
      nowMs={nowMs}
      onRetry={() => live?.reconnectNow()}
    />
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'fleet':
      return <FleetPage />;
    case 'target':
      return <TargetPage target={route.target} />;
    case 'model':
      return <ModelPage target={route.target} model={route.model} />;
    case 'alerts':
      return <AlertsPage route={route} />;
    case 'test-prompt':
      return <TestPromptPage runId={route.runId} />;
    case 'not-found':
      return (
        <section>
          <h1>Not found</h1>
          <p>
            Nothing lives at <code>{route.path}</code>. <a href="#/">Back to the fleet</a>.
          </p>
        </section>
      );
  }
}
