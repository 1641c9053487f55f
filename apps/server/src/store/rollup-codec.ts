import type { Outcome } from '@lookout/contracts';
import { OUTCOMES } from '@lookout/contracts';
import type { QuantileSketch } from '../metrics/index.ts';
import { StoreError } from './errors.ts';
import { decodeSketch, encodeSketch } from './sketch-blob.ts';

/** The `outcomes` column: a JSON object of the non-zero counts by outcome name. */
export function outcomesJson(outcomes: Readonly<Partial<Record<string, number>>>): string {
  const kept: Record<string, number> = {};
  for (const [name, n] of Object.entries(outcomes)) if (n !== undefined && n !== 0) kept[name] = n;
  return JSON.stringify(kept);
}

/**
 * Every count of an `outcomes` column, names this version does not know included (a newer version
 * may have written them; they still count in `requests`).
 */
export function parseOutcomeCounts(json: string, minuteStartMs: number): Record<string, number> {
  try {
    const parsed: unknown = JSON.parse(json);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not an object');
    for (const [name, n] of Object.entries(parsed)) {
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new Error(`bad count for ${name}`);
    }
    return parsed as Record<string, number>;
  } catch (error) {
    throw corrupt(minuteStartMs, 'outcomes', error);
  }
}

/** The known outcomes of an `outcomes` column. */
export function parseOutcomes(json: string, minuteStartMs: number): Partial<Record<Outcome, number>> {
  const counts = parseOutcomeCounts(json, minuteStartMs);
  const outcomes: Partial<Record<Outcome, number>> = {};
  for (const outcome of OUTCOMES) if (counts[outcome] !== undefined) outcomes[outcome] = counts[outcome];
  return outcomes;
}

export function sketchBlob(sketch: QuantileSketch | null | undefined): Buffer | null {
  return sketch && sketch.count > 0 ? encodeSketch(sketch) : null;
}

export function readSketchBlob(blob: Uint8Array, minuteStartMs: number, column: string): QuantileSketch {
  try {
    return decodeSketch(blob);
  } catch (error) {
    throw corrupt(minuteStartMs, column, error);
  }
}

function corrupt(minuteStartMs: number, column: string, error: unknown): StoreError {
  return new StoreError(
    'STORE_CORRUPT_ROW',
    `rollup of minute ${new Date(minuteStartMs).toISOString()} has an unreadable ${column}: ${(error as Error).message}`,
    { cause: error },
  );
}
