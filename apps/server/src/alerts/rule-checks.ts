import type { RuleDraft } from '@lookout/contracts';
import { INSTANT_METRICS } from './metric-values.ts';
import type { WebhookDirectory } from './webhook-table.ts';

export interface RuleContext {
  /** The configured targets. */
  readonly targets: readonly string[];
  readonly webhooks: WebhookDirectory;
}

const quoted = (names: readonly string[]) =>
  names.length === 0 ? 'none' : names.map((n) => `"${n}"`).join(', ');

/**
 * What the schema cannot check because it needs the server's knowledge (targets, webhooks) or would be
 * a trap at evaluation: field -> reason, empty when the rule is fine.
 */
export function checkRuleContext(rule: RuleDraft, context: RuleContext): Record<string, string> {
  const fields: Record<string, string> = {};
  const { target, model } = rule.scope;
  if (target !== '*' && !context.targets.includes(target)) {
    fields['scope.target'] = `no target named "${target}"; configured targets: ${quoted(context.targets)}`;
  }
  if (rule.metric === 'target_down' && model !== '*') {
    fields['scope.model'] = 'scope.model must be "*" for target_down (health is per target, not per model)';
  }
  if (INSTANT_METRICS.has(rule.metric) && rule.minSamples > 1) {
    fields.minSamples = `minSamples must be 0 or 1 for ${rule.metric}: its value is one reading, not calls`;
  }
  const known = context.webhooks.list().map((w) => w.id);
  rule.notify.forEach((entry, i) => {
    if (entry === '*' || entry.includes('://') || known.includes(entry)) return;
    fields[`notify.${i}`] =
      `unknown webhook "${entry}"; webhooks: ${quoted(known)} (or "*" for all, or a URL)`;
  });
  return fields;
}
