import type { HistorySource, Outcome } from '@lookout/contracts';
import type Database from 'better-sqlite3';
import type { Measure } from '../metrics/index.ts';
import { MEASURES, type QuantileSketch } from '../metrics/index.ts';
import {
  outcomesJson,
  parseOutcomeCounts,
  parseOutcomes,
  readSketchBlob,
  sketchBlob,
} from './rollup-codec.ts';

/** `span_ms` of a row written by the rollup job. */
export const MINUTE_SPAN_MS = 60_000;
/** `run_id` of a row merged by `compactPeriod` from the rows of any runs. */
export const COMPACTED_RUN_ID = 0;

/**
 * Migration 1: one row per (minute, target, model, source, run), with the calls of `span_ms` from
 * `minute_start` (a minute, or a longer period once compacted). `run_id` names the process run that
 * wrote the row: a run re-writing its own minute replaces it, while a restart within the same minute
 * adds beside the previous run's row. Outcome counts are a JSON object of the non-zero ones: a new
 * outcome needs no migration, and they are summed in code anyway, beside the sketch merges.
 */
export function createRollupsTable(db: Database.Database): void {
  db.exec(`CREATE TABLE rollups (
    minute_start INTEGER NOT NULL,
    target TEXT NOT NULL,
    model TEXT NOT NULL,
    source TEXT NOT NULL,
    run_id INTEGER NOT NULL,
    span_ms INTEGER NOT NULL,
    requests INTEGER NOT NULL,
    outcomes TEXT NOT NULL,
    latency_ms BLOB,
    ttft_ms BLOB,
    queue_wait_ms BLOB,
    tokens_per_sec BLOB,
    PRIMARY KEY (minute_start, target, model, source, run_id)
  );
  CREATE INDEX rollups_by_span ON rollups (span_ms, minute_start);`);
}

/** The column of each measure's sketch, in `MEASURES` order; fixed names, never from input. */
const SKETCH_COLUMNS: Readonly<Record<Measure, string>> = {
  latencyMs: 'latency_ms',
  ttftMs: 'ttft_ms',
  queueWaitMs: 'queue_wait_ms',
  tokensPerSec: 'tokens_per_sec',
};
const SKETCH_COLUMN_LIST = MEASURES.map((m) => SKETCH_COLUMNS[m]);

/** The calls of one (target, model, source) that ended in one minute, as one run counted them. */
export interface RollupRow {
  /** Epoch milliseconds, a multiple of 60 000. */
  readonly minuteStartMs: number;
  readonly target: string;
  readonly model: string;
  readonly source: HistorySource;
  readonly requests: number;
  /** Outcomes absent here count 0. */
  readonly outcomes: Readonly<Partial<Record<Outcome, number>>>;
  /** Measures without samples in the minute are absent. */
  readonly sketches: Readonly<Partial<Record<Measure, QuantileSketch>>>;
}

/** Which rows a history read covers; `target`/`model` undefined means all of them. */
export interface RollupFilter {
  /** Epoch ms, inclusive. */
  readonly fromMs: number;
  /** Epoch ms, exclusive. */
  readonly toMs: number;
  readonly source: HistorySource;
  readonly target?: string | undefined;
  readonly model?: string | undefined;
}

export interface RollupCounts {
  readonly minuteStartMs: number;
  readonly requests: number;
  readonly outcomes: Readonly<Partial<Record<Outcome, number>>>;
}

export interface RollupSketch {
  readonly minuteStartMs: number;
  readonly sketch: QuantileSketch;
}

type StoredRow = {
  minute_start: number;
  target: string;
  model: string;
  source: string;
  requests: number;
  outcomes: string;
} & Record<string, unknown>;

/** The per-minute rollups of the metrics, for the history charts. */
export class RollupTable {
  private readonly deleteRun: Database.Statement<[number, number]>;
  private readonly deleteSpan: Database.Statement<[number, number]>;
  private readonly selectSpan: Database.Statement<[number, number], StoredRow>;
  private readonly insert: Database.Statement<unknown[]>;
  private readonly deleteBefore: Database.Statement<[number]>;
  private readonly oldestShorter: Database.Statement<[number], { start: number | null }>;
  private readonly reads = new Map<string, Database.Statement<unknown[]>>();

  constructor(private readonly db: Database.Database) {
    this.deleteRun = db.prepare('DELETE FROM rollups WHERE minute_start = ? AND run_id = ?');
    const span = 'minute_start >= ? AND minute_start < ?';
    this.deleteSpan = db.prepare(`DELETE FROM rollups WHERE ${span}`);
    this.selectSpan = db.prepare(`SELECT * FROM rollups WHERE ${span}`);
    this.insert = db.prepare(
      `INSERT INTO rollups (minute_start, target, model, source, run_id, span_ms, requests, outcomes,
         ${SKETCH_COLUMN_LIST.join(', ')})
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.deleteBefore = db.prepare('DELETE FROM rollups WHERE minute_start < ?');
    this.oldestShorter = db.prepare('SELECT min(minute_start) AS start FROM rollups WHERE span_ms < ?');
  }

  /**
   * Writes minutes in one transaction; each minute replaces whatever run `runId` wrote for it before
   * (so writing a minute again, e.g. a partial one completed later, is idempotent). Returns rows written.
   */
  replaceMinutes(
    runId: number,
    minutes: readonly { minuteStartMs: number; rows: readonly RollupRow[] }[],
  ): number {
    let written = 0;
    this.db.transaction(() => {
      for (const { minuteStartMs, rows } of minutes) {
        this.deleteRun.run(minuteStartMs, runId);
        for (const row of rows) {
          if (row.minuteStartMs !== minuteStartMs) {
            throw new RangeError(`row of minute ${row.minuteStartMs} written as minute ${minuteStartMs}`);
          }
          this.insert.run(
            minuteStartMs,
            row.target,
            row.model,
            row.source,
            runId,
            MINUTE_SPAN_MS,
            row.requests,
            outcomesJson(row.outcomes),
            ...MEASURES.map((m) => sketchBlob(row.sketches[m])),
          );
          written++;
        }
      }
    })();
    return written;
  }

  /** Requests and outcomes of the rows in `filter`, oldest first. */
  *readCounts(filter: RollupFilter): IterableIterator<RollupCounts> {
    for (const record of this.read('requests, outcomes', filter) as Iterable<StoredRow>) {
      const outcomes = parseOutcomes(record.outcomes, record.minute_start);
      yield { minuteStartMs: record.minute_start, requests: record.requests, outcomes };
    }
  }

  /** The sketches of `measure` in `filter`, oldest first; rows without samples of it are skipped. */
  *readSketches(filter: RollupFilter, measure: Measure): IterableIterator<RollupSketch> {
    const column = SKETCH_COLUMNS[measure];
    const rows = this.read(`${column} AS sketch`, filter, `AND ${column} IS NOT NULL`);
    for (const record of rows as Iterable<{ minute_start: number; sketch: Buffer }>) {
      yield {
        minuteStartMs: record.minute_start,
        sketch: readSketchBlob(record.sketch, record.minute_start, column),
      };
    }
  }

  /**
   * Merges every row in [startMs, startMs + spanMs) into one row per (target, model, source), labelled
   * `startMs`, in one transaction. Exact (counts add, sketches merge), so any bucket holding the whole
   * period reads the same; finer buckets inside it can no longer be told apart. Returns rows before
   * and after.
   */
  compactPeriod(startMs: number, spanMs: number): { rowsBefore: number; rowsAfter: number } {
    return this.db.transaction(() => {
      const merged = new Map<string, MergedRow>();
      let rowsBefore = 0;
      for (const record of this.selectSpan.iterate(startMs, startMs + spanMs)) {
        rowsBefore++;
        const key = JSON.stringify([record.target, record.model, record.source]);
        let into = merged.get(key);
        if (!into) {
          into = { record, requests: 0, outcomes: {}, sketches: SKETCH_COLUMN_LIST.map(() => null) };
          merged.set(key, into);
        }
        mergeInto(into, record);
      }
      this.deleteSpan.run(startMs, startMs + spanMs);
      for (const { record, requests, outcomes, sketches } of merged.values()) {
        this.insert.run(
          startMs,
          record.target,
          record.model,
          record.source,
          COMPACTED_RUN_ID,
          spanMs,
          requests,
          outcomesJson(outcomes),
          ...sketches.map(sketchBlob),
        );
      }
      return { rowsBefore, rowsAfter: merged.size };
    })();
  }

  /** Start of the oldest row covering less than `spanMs`, or undefined when there is none. */
  oldestRowShorterThan(spanMs: number): number | undefined {
    return this.oldestShorter.get(spanMs)?.start ?? undefined;
  }

  /** Deletes rows of minutes that started before `epochMs`; returns how many. */
  pruneBefore(epochMs: number): number {
    return this.deleteBefore.run(epochMs).changes;
  }

  private read(columns: string, filter: RollupFilter, extra = ''): Iterable<unknown> {
    const params: unknown[] = [filter.fromMs, filter.toMs, filter.source];
    let where = 'minute_start >= ? AND minute_start < ? AND source = ?';
    if (filter.target !== undefined) {
      where += ' AND target = ?';
      params.push(filter.target);
    }
    if (filter.model !== undefined) {
      where += ' AND model = ?';
      params.push(filter.model);
    }
    const sql = `SELECT minute_start, ${columns} FROM rollups WHERE ${where} ${extra} ORDER BY minute_start`;
    let statement = this.reads.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.reads.set(sql, statement);
    }
    return statement.iterate(...params);
  }
}

interface MergedRow {
  readonly record: StoredRow;
  requests: number;
  readonly outcomes: Record<string, number>;
  readonly sketches: (QuantileSketch | null)[];
}

function mergeInto(into: MergedRow, record: StoredRow): void {
  into.requests += record.requests;
  for (const [name, n] of Object.entries(parseOutcomeCounts(record.outcomes, record.minute_start))) {
    into.outcomes[name] = (into.outcomes[name] ?? 0) + n;
  }
  SKETCH_COLUMN_LIST.forEach((column, m) => {
    const blob = record[column];
    if (!(blob instanceof Uint8Array)) return;
    const sketch = readSketchBlob(blob, record.minute_start, column);
    const existing = into.sketches[m];
    if (existing) existing.merge(sketch);
    else into.sketches[m] = sketch;
  });
}
