import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScriptedCall } from '../metrics/call-script.ts';
import { scriptCall } from '../metrics/call-script.ts';
import { MetricsEngine } from '../metrics/index.ts';

/** 2025-11-22T17:00:00Z: minute-aligned, so monotonic minute m is wall-clock minute EPOCH + m. */
export const EPOCH_MS = Date.parse('2025-11-22T17:00:00.000Z');

/** A metrics engine on a fake clock whose monotonic 0 is `epochMs`, and a way to play scripted calls. */
export function fakeEngine(epochMs = EPOCH_MS) {
  const clock = { nowMs: 0 };
  const engine = new MetricsEngine({
    gauges: { targets: () => [] },
    now: () => clock.nowMs,
    toEpochMs: (ms) => epochMs + ms,
  });
  const play = (...calls: ScriptedCall[]) => {
    for (const call of calls) {
      for (const event of scriptCall(call)) {
        if (event.atMs > clock.nowMs) clock.nowMs = event.atMs;
        engine.onEvent(event);
      }
    }
  };
  return { engine, clock, play };
}

/** A fresh temporary directory for a data dir; `remove()` deletes it. */
export function tempDataDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'lookout-history-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
