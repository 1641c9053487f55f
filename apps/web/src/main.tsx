import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createApiClient } from './api/client.ts';
import { App } from './app/app.tsx';
import type { AuthStatus } from './app/auth-gate.tsx';
import { createQueryClient } from './app/query-client.ts';
import { applyTheme, readTheme } from './app/theme.ts';
import { createStore } from './core/store.ts';
import './styles/base.css';
import './styles/layout.css';
import './styles/components.css';
import './styles/forms.css';

applyTheme(readTheme());
const auth = createStore<AuthStatus>('checking');
const queryClient = createQueryClient(() => auth.set('signed_out'));
const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <App api={createApiClient()} queryClient={queryClient} auth={auth} />
  </StrictMode>,
);
