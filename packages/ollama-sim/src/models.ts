import { createHash } from 'node:crypto';
import type { SimModelSpec } from './types.ts';

/** An installed model with every detail Ollama reports about it filled in. */
export interface CatalogModel {
  /** The name as configured; stats are keyed by it. */
  key: string;
  /** Ollama's display name, tag included: 'nomic-embed-text:latest'. */
  fullName: string;
  /** Comparable form: lower case, default registry and namespace dropped. */
  canonical: string;
  embedding: boolean;
  sizeBytes: number;
  sizeVramBytes: number;
  parameterSize: string;
  quantization: string;
  family: string;
  contextLength: number;
  embeddingLength: number;
  digest: string;
  modifiedAt: Date;
}

const NAME_PART = /^[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,79}$/;
const TAG_PART = /^[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,79}$/;

/** Parses an Ollama model name; undefined when model.ParseName would call it invalid. */
export function canonicalModelName(name: string): string | undefined {
  let rest = name.trim();
  const at = rest.indexOf('@');
  if (at >= 0) rest = rest.slice(0, at);
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  let tag = 'latest';
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const parts = rest.split('/');
  const model = parts.pop() ?? '';
  if (!NAME_PART.test(model) || !TAG_PART.test(tag)) return undefined;
  let namespace = parts.pop() ?? 'library';
  const host = parts.pop() ?? 'registry.ollama.ai';
  if (parts.length > 0 || namespace === '') return undefined;
  const lowerHost = host.toLowerCase();
  namespace = namespace.toLowerCase();
  const prefix =
    lowerHost === 'registry.ollama.ai'
      ? namespace === 'library'
        ? ''
        : `${namespace}/`
      : `${lowerHost}/${namespace}/`;
  return `${prefix}${model.toLowerCase()}:${tag.toLowerCase()}`;
}

function displayName(name: string): string {
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  return colon > slash ? name : `${name}:latest`;
}

interface Defaults {
  family: string;
  parameterSize: string;
  quantization: string;
  sizeBytes: number;
  contextLength: number;
  embeddingLength: number;
}

const KNOWN: Record<string, Defaults> = {
  'llama3.2:1b': {
    family: 'llama',
    parameterSize: '1.2B',
    quantization: 'Q8_0',
    sizeBytes: 1_321_098_329,
    contextLength: 131_072,
    embeddingLength: 2048,
  },
  'llama3.2:latest': {
    family: 'llama',
    parameterSize: '3.2B',
    quantization: 'Q4_K_M',
    sizeBytes: 2_019_393_189,
    contextLength: 131_072,
    embeddingLength: 3072,
  },
  'nomic-embed-text:latest': {
    family: 'nomic-bert',
    parameterSize: '137M',
    quantization: 'F16',
    sizeBytes: 274_302_450,
    contextLength: 2048,
    embeddingLength: 768,
  },
};

function guessDefaults(canonical: string, embedding: boolean): Defaults {
  const known = KNOWN[canonical];
  if (known) return known;
  const [base = '', tag = ''] = canonical.split(':');
  const billions = /^(\d+(?:\.\d+)?)b/.exec(tag);
  const params = billions ? Number(billions[1]) : embedding ? 0.137 : 7;
  const family = /^[a-z]+/.exec(base.split('/').pop() ?? '')?.[0] ?? 'llama';
  return {
    family: embedding ? 'bert' : family,
    parameterSize: params >= 1 ? `${params}B` : `${Math.round(params * 1000)}M`,
    quantization: embedding ? 'F16' : 'Q4_K_M',
    sizeBytes: Math.round(params * (embedding ? 2e9 : 0.6e9)),
    contextLength: embedding ? 2048 : 131_072,
    embeddingLength: embedding ? 768 : 4096,
  };
}

const EPOCH_OF_INSTALL_MS = Date.parse('2025-01-01T00:00:00Z');

/** Builds the catalog entry of one configured model; `index` orders modified_at so /api/tags keeps the configured order. */
export function catalogModel(entry: string | SimModelSpec, index: number): CatalogModel {
  const spec: SimModelSpec = typeof entry === 'string' ? { name: entry } : entry;
  const canonical = canonicalModelName(spec.name);
  if (canonical === undefined) throw new Error(`models: invalid model name ${JSON.stringify(spec.name)}`);
  const embedding = spec.embedding ?? spec.name.toLowerCase().includes('embed');
  const defaults = guessDefaults(canonical, embedding);
  const sizeBytes = spec.sizeBytes ?? defaults.sizeBytes;
  return {
    key: spec.name,
    fullName: displayName(spec.name),
    canonical,
    embedding,
    sizeBytes,
    sizeVramBytes: spec.sizeVramBytes ?? sizeBytes,
    parameterSize: spec.parameterSize ?? defaults.parameterSize,
    quantization: spec.quantization ?? defaults.quantization,
    family: spec.family ?? defaults.family,
    contextLength: spec.contextLength ?? defaults.contextLength,
    embeddingLength: spec.embeddingLength ?? defaults.embeddingLength,
    digest: createHash('sha256').update(`ollama-sim:${canonical}`).digest('hex'),
    modifiedAt: new Date(EPOCH_OF_INSTALL_MS - index * 3_600_000),
  };
}

/** The installed models, found by any spelling Ollama accepts for a name. */
export class ModelCatalog {
  private readonly byCanonical = new Map<string, CatalogModel>();
  private nextIndex = 0;

  constructor(entries: (string | SimModelSpec)[]) {
    for (const entry of entries) this.add(entry);
  }

  /** Installs a model (a no-op when one of the same name is there); `modifiedAt` defaults to the configured order. */
  add(entry: string | SimModelSpec, modifiedAt?: Date): CatalogModel {
    const model = catalogModel(entry, this.nextIndex++);
    const existing = this.byCanonical.get(model.canonical);
    if (existing) return existing;
    if (modifiedAt) model.modifiedAt = modifiedAt;
    this.byCanonical.set(model.canonical, model);
    return model;
  }

  /** What `add` would install, without installing it. */
  preview(entry: string | SimModelSpec): CatalogModel {
    return catalogModel(entry, this.nextIndex);
  }

  remove(model: CatalogModel): void {
    this.byCanonical.delete(model.canonical);
  }

  find(name: string): CatalogModel | undefined {
    const canonical = canonicalModelName(name);
    return canonical === undefined ? undefined : this.byCanonical.get(canonical);
  }

  all(): CatalogModel[] {
    return [...this.byCanonical.values()];
  }
}

/** The `details` object of /api/tags, /api/ps and /api/show. */
export function modelDetails(model: CatalogModel) {
  return {
    parent_model: '',
    format: 'gguf',
    family: model.family,
    families: [model.family],
    parameter_size: model.parameterSize,
    quantization_level: model.quantization,
  };
}
