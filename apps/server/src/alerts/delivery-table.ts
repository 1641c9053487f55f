import type {
  AlertScope,
  Delivery,
  DeliveryKind,
  DeliveryPage,
  DeliveryQuery,
  DeliveryStatus,
} from '@lookout/contracts';
import type Database from 'better-sqlite3';

interface DeliveryRow {
  seq: number;
  webhook_id: string;
  kind: string;
  status: string;
  attempts: number;
  last_http_status: number | null;
  last_error_code: string | null;
  last_error: string | null;
  event_id: string | null;
  rule_id: string | null;
  target: string | null;
  model: string | null;
  payload: string;
  created_at_ms: number;
  updated_at_ms: number;
  next_attempt_at_ms: number | null;
}

/** A delivery to make: which webhook, what about, and the body to send. */
export interface NewDelivery {
  readonly webhookId: string;
  readonly kind: DeliveryKind;
  readonly eventId: string | null;
  readonly ruleId: string | null;
  readonly scope: AlertScope | null;
  readonly payload: string;
}

/** What one attempt (or the decision to give up) changed. */
export interface DeliveryUpdate {
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly lastHttpStatus: number | null;
  readonly lastError: { readonly code: string; readonly message: string } | null;
  readonly nextAttemptAtMs: number | null;
}

/** A delivery still to be made, as it is resumed after a restart. */
export interface OpenDelivery {
  readonly id: string;
  readonly webhookId: string;
  readonly attempts: number;
  readonly payload: string;
}

/** The `webhook_deliveries` table: each notification to each webhook, and how it went. */
export class DeliveryTable {
  private readonly insertRow: Database.Statement<
    [string, string, string | null, string | null, string | null, string | null, string, number, number]
  >;
  private readonly updateRow: Database.Statement<
    [string, number, number | null, string | null, string | null, number, number | null, number]
  >;
  private readonly selectOne: Database.Statement<[number], DeliveryRow>;
  private readonly selectOpen: Database.Statement<[], DeliveryRow>;
  private readonly selectLast: Database.Statement<[string], DeliveryRow>;
  private readonly pruneRows: Database.Statement<[number]>;

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number,
  ) {
    this.insertRow = db.prepare(
      `INSERT INTO webhook_deliveries (webhook_id, kind, status, attempts, event_id, rule_id, target, model,
         payload, created_at_ms, updated_at_ms) VALUES (?, ?, 'queued', 0, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.updateRow = db.prepare(
      `UPDATE webhook_deliveries SET status = ?, attempts = ?, last_http_status = ?, last_error_code = ?,
         last_error = ?, updated_at_ms = ?, next_attempt_at_ms = ? WHERE seq = ?`,
    );
    this.selectOne = db.prepare('SELECT * FROM webhook_deliveries WHERE seq = ?');
    this.selectOpen = db.prepare(
      "SELECT * FROM webhook_deliveries WHERE status IN ('queued', 'retrying') ORDER BY seq",
    );
    this.selectLast = db.prepare(
      'SELECT * FROM webhook_deliveries WHERE webhook_id = ? ORDER BY seq DESC LIMIT 1',
    );
    this.pruneRows = db.prepare(
      `DELETE FROM webhook_deliveries WHERE seq <= (SELECT max(seq) FROM webhook_deliveries) - ?
         AND status NOT IN ('queued', 'retrying')`,
    );
  }

  /** Records a delivery as queued; returns its id. */
  insert(d: NewDelivery): string {
    const nowMs = this.now();
    const info = this.insertRow.run(
      d.webhookId,
      d.kind,
      d.eventId,
      d.ruleId,
      d.scope?.target ?? null,
      d.scope?.model ?? null,
      d.payload,
      nowMs,
      nowMs,
    );
    return String(info.lastInsertRowid);
  }

  update(id: string, u: DeliveryUpdate): void {
    this.updateRow.run(
      u.status,
      u.attempts,
      u.lastHttpStatus,
      u.lastError?.code ?? null,
      u.lastError?.message ?? null,
      this.now(),
      u.nextAttemptAtMs,
      Number(id),
    );
  }

  get(id: string): Delivery | undefined {
    const row = this.selectOne.get(Number(id));
    return row && toDelivery(row);
  }

  /** Deliveries a stopped process left queued or retrying, oldest first. */
  open(): OpenDelivery[] {
    return this.selectOpen.all().map((row) => ({
      id: String(row.seq),
      webhookId: row.webhook_id,
      attempts: row.attempts,
      payload: row.payload,
    }));
  }

  last(webhookId: string): Delivery | null {
    const row = this.selectLast.get(webhookId);
    return row ? toDelivery(row) : null;
  }

  page(query: DeliveryQuery): DeliveryPage {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (query.before !== undefined) {
      where.push('seq < ?');
      params.push(Number(query.before));
    }
    if (query.webhook !== undefined) {
      where.push('webhook_id = ?');
      params.push(query.webhook);
    }
    if (query.status !== undefined) {
      where.push('status = ?');
      params.push(query.status);
    }
    const sql = `SELECT * FROM webhook_deliveries ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY seq DESC LIMIT ?`;
    const rows = this.db.prepare<(string | number)[], DeliveryRow>(sql).all(...params, query.limit + 1);
    const deliveries = rows.slice(0, query.limit).map(toDelivery);
    return { deliveries, nextBefore: rows.length > query.limit ? (deliveries.at(-1)?.id ?? null) : null };
  }

  /** Keeps the newest `keep` finished deliveries (open ones are always kept). */
  prune(keep: number): number {
    return this.pruneRows.run(keep).changes;
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

function toDelivery(row: DeliveryRow): Delivery {
  return {
    id: String(row.seq),
    webhookId: row.webhook_id,
    kind: row.kind as DeliveryKind,
    status: row.status as DeliveryStatus,
    attempts: row.attempts,
    lastHttpStatus: row.last_http_status,
    lastError:
      row.last_error_code === null ? null : { code: row.last_error_code, message: row.last_error ?? '' },
    eventId: row.event_id,
    ruleId: row.rule_id,
    scope: row.target === null || row.model === null ? null : { target: row.target, model: row.model },
    createdAt: iso(row.created_at_ms),
    updatedAt: iso(row.updated_at_ms),
    nextAttemptAt: row.next_attempt_at_ms === null ? null : iso(row.next_attempt_at_ms),
  };
}
