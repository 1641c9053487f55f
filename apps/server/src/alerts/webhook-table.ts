import type { WebhookDraft, WebhookKind } from '@lookout/contracts';
import { WebhookHeadersSchema, WebhookKindSchema } from '@lookout/contracts';
import type Database from 'better-sqlite3';

/** Somewhere notifications go: a webhook of `lookout.yaml`, of the dashboard, or a rule's raw URL. */
export interface WebhookTarget {
  readonly id: string;
  readonly name: string;
  readonly url: string;
  readonly kind: WebhookKind;
  readonly headers: Readonly<Record<string, string>>;
  readonly source: 'config' | 'ui' | 'url';
}

/** A webhook as `lookout.yaml` lists it. */
export interface ConfiguredWebhook {
  readonly id: string;
  readonly name?: string | undefined;
  readonly url: string;
  readonly kind: WebhookKind;
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

interface WebhookRow {
  id: string;
  name: string;
  url: string;
  kind: string;
  headers: string;
}

/** The `webhooks` table: the webhooks added in the dashboard. */
export class WebhookTable {
  private readonly selectAll: Database.Statement<[], WebhookRow>;
  private readonly insertRow: Database.Statement<[string, string, string, string, string, number, number]>;
  private readonly updateRow: Database.Statement<[string, string, string, string, number, string]>;
  private readonly deleteRow: Database.Statement<[string]>;

  constructor(db: Database.Database) {
    this.selectAll = db.prepare(
      'SELECT id, name, url, kind, headers FROM webhooks ORDER BY created_at_ms, id',
    );
    this.insertRow = db.prepare(
      `INSERT INTO webhooks (id, name, url, kind, headers, created_at_ms, updated_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.updateRow = db.prepare(
      'UPDATE webhooks SET name = ?, url = ?, kind = ?, headers = ?, updated_at_ms = ? WHERE id = ?',
    );
    this.deleteRow = db.prepare('DELETE FROM webhooks WHERE id = ?');
  }

  list(): WebhookTarget[] {
    return this.selectAll.all().map((row) => ({
      id: row.id,
      name: row.name,
      url: row.url,
      kind: WebhookKindSchema.catch('json').parse(row.kind),
      headers: parseHeaders(row.headers),
      source: 'ui' as const,
    }));
  }

  insert(id: string, draft: WebhookDraft, nowMs: number): void {
    this.insertRow.run(id, draft.name, draft.url, draft.kind, JSON.stringify(draft.headers), nowMs, nowMs);
  }

  update(id: string, draft: WebhookDraft, nowMs: number): boolean {
    return (
      this.updateRow.run(draft.name, draft.url, draft.kind, JSON.stringify(draft.headers), nowMs, id)
        .changes > 0
    );
  }

  delete(id: string): boolean {
    return this.deleteRow.run(id).changes > 0;
  }
}

function parseHeaders(text: string): Record<string, string> {
  try {
    const parsed = WebhookHeadersSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/**
 * Every webhook, those of `lookout.yaml` first, and how a rule's `notify` entries resolve: `*` means
 * every webhook, an http(s) URL a generic JSON webhook at that URL, anything else a webhook id.
 */
export class WebhookDirectory {
  private readonly configured: readonly WebhookTarget[];

  constructor(
    readonly table: WebhookTable,
    configured: readonly ConfiguredWebhook[],
  ) {
    this.configured = configured.map((w) => ({
      id: w.id,
      name: w.name ?? w.id,
      url: w.url,
      kind: w.kind,
      headers: w.headers ?? {},
      source: 'config' as const,
    }));
  }

  list(): WebhookTarget[] {
    const fromConfig = new Set(this.configured.map((w) => w.id));
    // A dashboard webhook whose id a later config took is shadowed: the file wins.
    return [...this.configured, ...this.table.list().filter((w) => !fromConfig.has(w.id))];
  }

  get(id: string): WebhookTarget | undefined {
    return this.list().find((w) => w.id === id) ?? (isUrl(id) ? urlTarget(id) : undefined);
  }

  isConfigured(id: string): boolean {
    return this.configured.some((w) => w.id === id);
  }

  /** The webhooks `notify` names, each once; ids that name nothing are returned in `unknown`. */
  resolve(notify: readonly string[]): { targets: WebhookTarget[]; unknown: string[] } {
    const all = this.list();
    const targets = new Map<string, WebhookTarget>();
    const unknown: string[] = [];
    for (const entry of notify) {
      if (entry === '*') for (const w of all) targets.set(w.id, w);
      else if (isUrl(entry)) targets.set(entry, urlTarget(entry));
      else {
        const found = all.find((w) => w.id === entry);
        if (found) targets.set(found.id, found);
        else unknown.push(entry);
      }
    }
    return { targets: [...targets.values()], unknown };
  }
}

function isUrl(entry: string): boolean {
  return entry.includes('://');
}

function urlTarget(url: string): WebhookTarget {
  return { id: url, name: url, url, kind: 'json', headers: {}, source: 'url' };
}
