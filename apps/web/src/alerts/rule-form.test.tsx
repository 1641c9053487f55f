import type { Rule } from '@lookout/contracts';
import { RuleDraftSchema } from '@lookout/contracts';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiProvider } from '../api/api-context.tsx';
import { createApiClient } from '../api/client.ts';
import { startApiServer } from '../testing/api-server.ts';
import { RuleForm } from './rule-form.tsx';
import { DRAFT_DEFAULTS, fieldOf, initialValues, splitErrors, toDraft } from './rule-form-model.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  cleanup();
  for (const close of closers.splice(0)) await close();
});

function renderForm(baseUrl: string, props: { rule?: Rule; onSaved?: (rule: Rule) => void } = {}) {
  const api = createApiClient({ baseUrl });
  const queryClient = new QueryClient({ defaultOptions: { mutations: { retry: false } } });
  return render(
    <ApiProvider api={api}>
      <QueryClientProvider client={queryClient}>
        <RuleForm
          {...(props.rule ? { rule: props.rule } : {})}
          targets={['gpu-a', 'gpu-b']}
          models={['llama3.2:1b']}
          webhooks={[]}
          onSaved={props.onSaved ?? (() => {})}
          onCancel={() => {}}
        />
      </QueryClientProvider>
    </ApiProvider>,
  );
}

describe('<RuleForm>', () => {
  it('shows each reason the server gives next to its field', async () => {
    const server = await startApiServer(() => ({
      status: 400,
      body: {
        error: {
          code: 'invalid_rule',
          message: 'name must not be empty; threshold must be between 0 and 1 for error_rate',
          fields: {
            name: 'name must not be empty',
            threshold: 'threshold must be between 0 and 1 for error_rate',
            'scope.target': 'no target named "gpu-z"',
          },
        },
      },
    }));
    closers.push(server.close);
    renderForm(server.url);
    await userEvent.selectOptions(screen.getByLabelText('Metric'), 'error_rate');
    await userEvent.clear(screen.getByLabelText('Threshold'));
    await userEvent.type(screen.getByLabelText('Threshold'), '5');
    await userEvent.click(screen.getByRole('button', { name: 'Create rule' }));

    const threshold = screen.getByLabelText('Threshold');
    await waitFor(() => expect(threshold.getAttribute('aria-invalid')).toBe('true'));
    const describedBy = threshold.getAttribute('aria-describedby') ?? '';
    const messages = describedBy.split(' ').map((id) => document.getElementById(id)?.textContent);
    expect(messages).toContain('threshold must be between 0 and 1 for error_rate');
    expect(screen.getByLabelText('Name').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByLabelText('Target').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByTestId('form-errors').textContent).toContain('no target named "gpu-z"');

    // What was sent: the typed values, with the unit the form showed (error_rate is a fraction).
    expect(server.requests[0]).toMatchObject({
      method: 'POST',
      path: '/api/rules',
      body: { metric: 'error_rate', threshold: 5, window: '5m', scope: { target: '*', model: '*' } },
    });
  });

  it('saves an edited rule with PUT and hands back what the server stored', async () => {
    const rule: Rule = {
      id: 'rule-1',
      name: 'slow',
      metric: 'latency_p95_ms',
      scope: { target: 'gpu-a', model: '*' },
      window: '5m',
      op: '>',
      threshold: 1500,
      forSec: 30,
      minSamples: 5,
      severity: 'critical',
      enabled: true,
      notify: [],
    };
    const server = await startApiServer((req) => ({
      status: 200,
      body: { rule: { ...(req.body as object), id: 'rule-1' } },
    }));
    closers.push(server.close);
    let saved: Rule | undefined;
    renderForm(server.url, { rule, onSaved: (r) => (saved = r) });
    expect(screen.getByLabelText('Threshold').nextElementSibling?.textContent).toBe('ms');
    expect(screen.getByLabelText('For').nextElementSibling?.textContent).toBe('s');
    await userEvent.clear(screen.getByLabelText('Threshold'));
    await userEvent.type(screen.getByLabelText('Threshold'), '2000');
    await userEvent.click(screen.getByRole('button', { name: 'Save rule' }));
    await waitFor(() => expect(saved).toBeDefined());
    expect(server.requests[0]).toMatchObject({ method: 'PUT', path: '/api/rules/rule-1' });
    expect(saved).toMatchObject({ threshold: 2000, forSec: 30, minSamples: 5, severity: 'critical' });
  });
});

describe('rule form model', () => {
  it('fills the same defaults the server applies to a draft', () => {
    const parsed = RuleDraftSchema.parse({ name: 'x', metric: 'latency_p95_ms', op: '>', threshold: 1 });
    expect({
      scope: parsed.scope,
      window: parsed.window,
      forSec: parsed.forSec,
      minSamples: parsed.minSamples,
      severity: parsed.severity,
      enabled: parsed.enabled,
      notify: parsed.notify,
    }).toEqual(DRAFT_DEFAULTS);
    const values = initialValues();
    expect(RuleDraftSchema.safeParse({ ...toDraft(values), name: 'p95' }).success).toBe(true);
  });

  it('sends blanks as missing and junk as typed, so the server names the problem', () => {
    const draft = toDraft({ ...initialValues(), threshold: '', forSec: 'soon' }) as Record<string, unknown>;
    expect('threshold' in draft).toBe(false);
    expect(draft.forSec).toBe('soon');
  });

  it('maps server field paths to form fields', () => {
    expect(fieldOf('scope.model')).toBe('model');
    expect(fieldOf('notify.1')).toBe('notify');
    expect(fieldOf('bogus')).toBeNull();
    expect(splitErrors({ _: 'send a JSON body', threshold: 'bad' })).toEqual({
      byField: { threshold: 'bad' },
      general: ['send a JSON body'],
    });
  });
});
