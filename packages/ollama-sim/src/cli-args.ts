import type { SimulatorOptions } from './types.ts';

type FlagKind = 'integer' | 'number' | 'string' | 'list' | 'boolean';

/** Flag -> option it sets and how its value reads. */
const FLAGS: Record<string, { option: keyof SimulatorOptions; kind: FlagKind; min?: number; max?: number }> =
  {
    '--host': { option: 'host', kind: 'string' },
    '--port': { option: 'port', kind: 'integer', max: 65_535 },
    '--models': { option: 'models', kind: 'list' },
    '--parallel': { option: 'numParallel', kind: 'integer', min: 1 },
    '--max-queue': { option: 'maxQueue', kind: 'integer' },
    '--max-loaded-models': { option: 'maxLoadedModels', kind: 'integer', min: 1 },
    '--load-time-ms': { option: 'loadTimeMs', kind: 'number' },
    '--keep-alive-ms': { option: 'keepAliveMs', kind: 'number' },
    '--tokens-per-sec': { option: 'tokensPerSec', kind: 'number' },
    '--prompt-tokens-per-sec': { option: 'promptTokensPerSec', kind: 'number' },
    '--tokens-per-response': { option: 'tokensPerResponse', kind: 'integer' },
    '--version': { option: 'version', kind: 'string' },
    '--seed': { option: 'seed', kind: 'integer' },
    '--check-host': { option: 'checkHost', kind: 'boolean' },
    '--deterministic-timestamps': { option: 'deterministicTimestamps', kind: 'boolean' },
  };

export const CLI_USAGE = `Usage: ollama-sim [flags]
  ${Object.keys(FLAGS).join(' ')}
Boolean flags take no value; --models takes a comma list (llama3.2:1b,nomic-embed-text).`;

export type CliParse = { ok: true; options: SimulatorOptions } | { ok: false; message: string };

function readValue(
  flag: string,
  kind: FlagKind,
  raw: string,
  min = 0,
  max = Number.POSITIVE_INFINITY,
): { ok: true; value: unknown } | { ok: false; message: string } {
  if (kind === 'string')
    return raw === '' ? { ok: false, message: `${flag} needs a value` } : { ok: true, value: raw };
  if (kind === 'list') {
    const items = raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    return items.length > 0
      ? { ok: true, value: items }
      : { ok: false, message: `${flag} needs at least one name` };
  }
  const value = raw.trim() === '' ? Number.NaN : Number(raw);
  const inRange = value >= min && value <= max;
  const valid = kind === 'integer' ? Number.isInteger(value) && inRange : !Number.isNaN(value) && inRange;
  if (!valid) {
    const range = max === Number.POSITIVE_INFINITY ? `>= ${min}` : `from ${min} to ${max}`;
    const what = kind === 'integer' ? `an integer ${range}` : `a number ${range}`;
    return { ok: false, message: `${flag} must be ${what}, got ${JSON.stringify(raw)}` };
  }
  return { ok: true, value };
}

/** Reads the command line (`--flag value` or `--flag=value`); a message naming the flag on any error. */
export function parseCliArgs(argv: string[]): CliParse {
  const options: Record<string, unknown> = {};
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const eq = arg.indexOf('=');
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    const spec = FLAGS[flag];
    if (!spec) return { ok: false, message: `unknown flag ${JSON.stringify(flag)}` };
    if (spec.kind === 'boolean') {
      if (eq >= 0) {
        const raw = arg.slice(eq + 1);
        if (raw !== 'true' && raw !== 'false')
          return { ok: false, message: `${flag} takes true or false, got ${JSON.stringify(raw)}` };
        options[spec.option] = raw === 'true';
      } else {
        options[spec.option] = true;
      }
      continue;
    }
    let raw: string;
    if (eq >= 0) raw = arg.slice(eq + 1);
    else {
      const next = args[i + 1];
      if (next === undefined || next.startsWith('--')) return { ok: false, message: `${flag} needs a value` };
      raw = next;
      i++;
    }
    const read = readValue(flag, spec.kind, raw, spec.min, spec.max);
    if (!read.ok) return read;
    options[spec.option] = read.value;
  }
  return { ok: true, options: options as SimulatorOptions };
}
