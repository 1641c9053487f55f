/** The soak's summary for people (text) and for tools (`.reports/soak.json`). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SoakResult } from './runner.ts';

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '),
  );
}

export function summaryText(result: SoakResult): string {
  const lines: string[] = [];
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  lines.push(
    `soak ${result.passed ? 'PASSED' : 'FAILED'}: ${result.calls} calls in ${seconds(result.loadMs)} ` +
      `(${result.callsPerSec.toFixed(1)}/s), ${result.options.concurrency} clients, seed ${result.options.seed}, ` +
      `wall ${seconds(result.wallMs)}`,
  );
  lines.push('');
  const header = ['outcome', 'clients', '+cut', 'engine', '/metrics', 'dashboard'];
  const body = result.outcomes.map((r) => [
    r.outcome,
    String(r.clients),
    r.cut === 0 ? '' : `+${r.cut}`,
    String(r.engine),
    String(r.prometheus),
    r.dashboard === undefined ? '-' : String(r.dashboard),
  ]);
  const total = (pick: (r: SoakResult['outcomes'][number]) => number | undefined) =>
    result.outcomes.some((r) => pick(r) === undefined)
      ? '-'
      : String(result.outcomes.reduce((s, r) => s + (pick(r) ?? 0), 0));
  body.push([
    'total',
    total((r) => r.clients),
    `+${total((r) => r.cut)}`,
    total((r) => r.engine),
    total((r) => r.prometheus),
    total((r) => r.dashboard),
  ]);
  lines.push(...table([header, ...body]).map((l) => `  ${l}`));
  lines.push(
    '  (+cut: one-piece bodies cut after their headers; the client cannot tell which failure cut them,',
    '   so they are shown as the server counted them, and each was checked to be one it could be)',
  );
  lines.push('');
  const t = result.tally;
  const list = (record: Record<string, number>) =>
    Object.entries(record)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') || 'none';
  lines.push(`  by role: ${list(t.byRole)}`);
  lines.push(`  by endpoint: ${list(t.byEndpoint)}`);
  lines.push(
    `  client aborts: ${t.aborts.beforeHeaders} before headers, ${t.aborts.midStream} mid-stream ` +
      `(${t.aborts.plannedNotDone} planned but answered first)`,
  );
  lines.push(`  faults armed: ${list(result.faultsArmed)}`);
  lines.push(`  notes: ${list(t.notes)}; slowest call ${seconds(t.maxCallMs)}`);
  const m = result.memory;
  lines.push(
    `  heap (after full GC): warm-up ${mb(m.heapAtWarmupBytes)}, end of load ${mb(m.heapAtEndBytes)}, ` +
      `slope ${mb(m.slopeBytesPerMin)}/min over ${m.samples} samples, after settle ${mb(m.afterSettle.heapUsedBytes)}`,
  );
  lines.push(
    `  rss: warm-up ${mb(m.rssAtWarmupBytes)}, end ${mb(m.rssAtEndBytes)}, max ${mb(m.rssMaxBytes)}`,
  );
  lines.push('');
  for (const c of result.checks) lines.push(`  ${c.passed ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
  if (result.tally.examples.length > 0) {
    lines.push(
      '',
      `  calls whose two sides differ (first ${result.tally.examples.length}, all in the JSON report):`,
    );
    for (const e of result.tally.examples.slice(0, 5)) {
      lines.push(
        `    #${e.tag} ${e.plan.role} ${e.plan.endpoint}${e.plan.stream ? ' stream' : ''}: client ${e.client}, ` +
          `server ${e.server}${e.serverMessage ? ` (${e.serverMessage.slice(0, 120)})` : ''}; ` +
          `status ${e.view.status ?? '-'}, ${e.view.end}, ${e.view.bodyBytes} bytes, last ${JSON.stringify(e.view.last.slice(-160))}`,
      );
    }
  }
  return lines.join('\n');
}

export function writeReport(path: string, result: SoakResult): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
}
