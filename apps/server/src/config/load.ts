import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { exposureProblem } from './exposure.ts';
import { configSchema, DEFAULTS, type LookoutConfig } from './schema.ts';
import { flagName, parseText, SETTINGS } from './settings.ts';

/** One thing wrong with the configuration, named by where it came from. */
export interface ConfigProblem {
  /** `LOOKOUT_RELAY_PORT`, `--relay-port`, `lookout.yaml: targets[0].url`, ... */
  readonly key: string;
  readonly message: string;
}

/** Invalid configuration: the start stops with this message. */
export class ConfigError extends Error {
  readonly code = 'LOOKOUT_CONFIG_INVALID';
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p.key}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadConfigInput {
  /** Command-line arguments after the script name. */
  argv?: readonly string[];
  env?: Readonly<Record<string, string | undefined>>;
  /** Where a relative `lookout.yaml` is looked for. */
  cwd?: string;
}

export interface LoadedConfig {
  config: LookoutConfig;
  /** The file that was read, if any. */
  configFile: string | undefined;
  /** For each top-level key, where its value came from (`default`, the file, an env var, a flag). */
  origins: Record<string, string>;
}

type Layer = { label: (key: string) => string; values: Record<string, unknown> };

/**
 * Builds the one validated config object, later wins: defaults < `lookout.yaml` < env < flags.
 * Throws {@link ConfigError} naming every bad key, and when a non-loopback host has no admin token.
 */
export function loadConfig(input: LoadConfigInput = {}): LoadedConfig {
  const env = input.env ?? process.env;
  const cwd = input.cwd ?? process.cwd();
  const problems: ConfigProblem[] = [];

  const flags = readFlags(input.argv ?? [], problems);
  const fileArg = flags.configPath ?? env.LOOKOUT_CONFIG;
  const configFile = fileArg ? resolve(cwd, fileArg) : defaultConfigFile(cwd);
  const fileLayer = configFile ? readConfigFile(configFile, fileArg !== undefined, problems) : undefined;
  const envLayer = readEnv(env, problems);

  const layers: Layer[] = [
    { label: (k) => `default ${k}`, values: { ...DEFAULTS } },
    ...(fileLayer ? [fileLayer] : []),
    envLayer,
    flags.layer,
  ];
  const merged: Record<string, unknown> = {};
  const origins: Record<string, string> = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer.values)) {
      merged[key] = key === 'targets' ? mergeTargets(merged.targets, value) : value;
      origins[key] = layer.label(key);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => describeIssue(issue, origins, configFile)));
  }
  const exposed = exposureProblem(parsed.data, origins);
  if (exposed) throw new ConfigError([exposed]);
  return { config: parsed.data, configFile, origins };
}

function defaultConfigFile(cwd: string): string | undefined {
  const file = resolve(cwd, 'lookout.yaml');
  return existsSync(file) ? file : undefined;
}

function describeIssue(
  issue: z.core.$ZodIssue,
  origins: Record<string, string>,
  configFile: string | undefined,
): ConfigProblem {
  const [head, ...rest] = issue.path;
  // A top-level key nobody knows can only have come from the file.
  const origin = typeof head === 'string' ? (origins[head] ?? head) : (configFile ?? 'config');
  const key = origin + rest.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  if (issue.code === 'unrecognized_keys') {
    return { key, message: `unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')}` };
  }
  return { key, message: issue.message };
}

function readEnv(env: Readonly<Record<string, string | undefined>>, problems: ConfigProblem[]): Layer {
  const values: Record<string, unknown> = {};
  const sourceOf: Record<string, string> = {};
  for (const spec of SETTINGS) {
    const raw = env[spec.env];
    if (raw === undefined || raw === '') continue;
    const r = parseText(spec.kind, raw);
    if (r.ok) {
      values[spec.key] = r.value;
      sourceOf[spec.key] = spec.env;
    } else problems.push({ key: spec.env, message: r.reason });
  }
  const targets = env.LOOKOUT_TARGETS;
  if (targets !== undefined && targets.trim() !== '') {
    values.targets = parseTargetList(targets, 'LOOKOUT_TARGETS', problems);
    sourceOf.targets = 'LOOKOUT_TARGETS';
  }
  return { label: (k) => sourceOf[k] ?? k, values };
}

interface FlagResult {
  layer: Layer;
  configPath: string | undefined;
}

function readFlags(argv: readonly string[], problems: ConfigProblem[]): FlagResult {
  const byFlag = new Map(SETTINGS.map((s) => [flagName(s), s]));
  const values: Record<string, unknown> = {};
  const sourceOf: Record<string, string> = {};
  let configPath: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') continue;
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const spec = byFlag.get(flag);
    const known = spec !== undefined || flag === '--targets' || flag === '--config';
    if (!flag.startsWith('--')) {
      problems.push({
        key: flag.trim() === '' ? `argument ${i + 1} ${JSON.stringify(arg)}` : flag,
        message: 'unexpected argument (settings are given as --name value)',
      });
      continue;
    }
    if (!known) {
      problems.push({ key: flag, message: 'unknown flag (see the configuration table in README.md)' });
      if (eq < 0 && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) i++; // skip its value
      continue;
    }
    let raw: string | undefined = eq > 0 ? arg.slice(eq + 1) : undefined;
    if (raw === undefined) {
      if (spec?.kind === 'bool' && (argv[i + 1] === undefined || argv[i + 1]!.startsWith('--'))) raw = 'true';
      else raw = argv[++i];
    }
    if (raw === undefined) {
      problems.push({ key: flag, message: 'needs a value' });
      continue;
    }
    if (flag === '--config') configPath = raw;
    else if (flag === '--targets') {
      values.targets = parseTargetList(raw, flag, problems);
      sourceOf.targets = flag;
    } else if (spec) {
      const r = parseText(spec.kind, raw);
      if (r.ok) {
        values[spec.key] = r.value;
        sourceOf[spec.key] = flag;
      } else problems.push({ key: flag, message: r.reason });
    }
  }
  return { layer: { label: (k) => sourceOf[k] ?? k, values }, configPath };
}

/** `a=http://h:11434,http://other:11434` -> targets; a name left out is derived from host and port. */
export function parseTargetList(
  text: string,
  key: string,
  problems: ConfigProblem[],
): { name: string; url: string }[] {
  const out: { name: string; url: string }[] = [];
  for (const item of text.split(',').map((s) => s.trim())) {
    if (item === '') continue;
    const eq = item.indexOf('=');
    const url = eq >= 0 ? item.slice(eq + 1).trim() : item;
    let name = eq >= 0 ? item.slice(0, eq).trim() : '';
    if (name === '') {
      try {
        const u = new URL(url);
        name = `${u.hostname.replace(/[[\]]/g, '').replace(/[^A-Za-z0-9._-]/g, '-')}-${u.port || (u.protocol === 'https:' ? 443 : 80)}`;
      } catch {
        problems.push({ key, message: `"${item}" is not name=url or a URL` });
        continue;
      }
    }
    out.push({ name, url });
  }
  if (out.length === 0) problems.push({ key, message: 'lists no target' });
  return out;
}

/** Targets named in env/flags keep the per-target overrides the file gives for the same name. */
function mergeTargets(previous: unknown, next: unknown): unknown {
  if (!Array.isArray(previous) || !Array.isArray(next)) return next;
  return next.map((t: unknown) => {
    if (typeof t !== 'object' || t === null) return t; // not a target: the schema will say so
    const same = previous.find(
      (p): p is Record<string, unknown> =>
        typeof p === 'object' &&
        p !== null &&
        (p as { name?: unknown }).name === (t as { name?: unknown }).name,
    );
    return same ? { ...same, ...(t as object) } : t;
  });
}

function readConfigFile(file: string, explicit: boolean, problems: ConfigProblem[]): Layer | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (explicit || (e as NodeJS.ErrnoException).code !== 'ENOENT') {
      problems.push({ key: file, message: `cannot read: ${(e as Error).message}` });
    }
    return undefined;
  }
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    for (const err of doc.errors) problems.push({ key: file, message: `YAML: ${err.message}` });
    return undefined;
  }
  let values: unknown;
  try {
    // Throws on an alias to no anchor, or on alias expansion past the parser's cap (a "billion laughs").
    values = doc.toJS() ?? {};
  } catch (e) {
    problems.push({ key: file, message: `YAML: ${(e as Error).message}` });
    return undefined;
  }
  if (typeof values !== 'object' || Array.isArray(values)) {
    problems.push({ key: file, message: 'expected a mapping of settings at the top level' });
    return undefined;
  }
  return { label: (k) => `${file}: ${k}`, values: values as Record<string, unknown> };
}
