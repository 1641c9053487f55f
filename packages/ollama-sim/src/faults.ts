import { canonicalModelName } from './models.ts';
import type { FaultKind, FaultSpec } from './types.ts';

export const FAULT_KINDS: readonly FaultKind[] = [
  'refuse',
  'hang',
  'stall',
  'reset',
  'http_500',
  'http_503',
  'error_line',
  'drip',
  'malformed_line',
];

/** A fault list the simulator cannot use; `message` names the bad field. */
export class InvalidFaultError extends Error {
  readonly code = 'SIM_INVALID_FAULT';
}

function checkCount(path: string, value: unknown, min: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new InvalidFaultError(`${path} must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  }
}

function checkMs(path: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidFaultError(
      `${path} must be a number of milliseconds >= 0, got ${JSON.stringify(value)}`,
    );
  }
}

/** Checks a fault list coming from options or the control endpoint; throws InvalidFaultError. */
export function validateFaults(input: unknown, path = 'faults'): FaultSpec[] {
  if (!Array.isArray(input))
    throw new InvalidFaultError(`${path} must be an array, got ${JSON.stringify(input)}`);
  return input.map((raw, i): FaultSpec => {
    const at = `${path}[${i}]`;
    if (typeof raw !== 'object' || raw === null) throw new InvalidFaultError(`${at} must be an object`);
    const spec = raw as Record<string, unknown>;
    if (!FAULT_KINDS.includes(spec.kind as FaultKind)) {
      throw new InvalidFaultError(
        `${at}.kind must be one of ${FAULT_KINDS.join(', ')}, got ${JSON.stringify(spec.kind)}`,
      );
    }
    if (
      spec.model !== undefined &&
      (typeof spec.model !== 'string' || canonicalModelName(spec.model) === undefined)
    ) {
      throw new InvalidFaultError(`${at}.model must be a model name, got ${JSON.stringify(spec.model)}`);
    }
    if (spec.message !== undefined && typeof spec.message !== 'string') {
      throw new InvalidFaultError(`${at}.message must be a string, got ${JSON.stringify(spec.message)}`);
    }
    checkCount(`${at}.afterChunks`, spec.afterChunks, 0);
    checkCount(`${at}.remaining`, spec.remaining, 1);
    checkCount(`${at}.dripBytes`, spec.dripBytes, 1);
    checkMs(`${at}.dripIntervalMs`, spec.dripIntervalMs);
    checkMs(`${at}.forMs`, spec.forMs);
    return { ...(spec as unknown as FaultSpec) };
  });
}

/** A 'refuse' for every request with no count: the port stops listening while it is active. */
export function stopsListening(spec: FaultSpec): boolean {
  return spec.kind === 'refuse' && spec.model === undefined && spec.remaining === undefined;
}

interface ActiveFault {
  spec: FaultSpec;
  remaining: number | undefined;
  expiryTimer: NodeJS.Timeout | undefined;
}

/** What a request is, for fault matching. */
export interface FaultTarget {
  /** The model named in the request, if any. */
  model: string | undefined;
}

/** The active faults; the first that matches a request applies to it and counts down its `remaining`. */
export class FaultStore {
  private active: ActiveFault[] = [];

  /** `onChange` runs whenever the list changes (set, clear, a fault used up or expired). */
  constructor(private readonly onChange: () => void) {}

  set(specs: FaultSpec[]): void {
    const validated = validateFaults(specs);
    this.stopTimers();
    this.active = validated.map((spec) => {
      const fault: ActiveFault = { spec, remaining: spec.remaining, expiryTimer: undefined };
      if (spec.forMs !== undefined) fault.expiryTimer = setTimeout(() => this.drop(fault), spec.forMs);
      return fault;
    });
    this.onChange();
  }

  clear(): void {
    this.stopTimers();
    this.active = [];
    this.onChange();
  }

  list(): FaultSpec[] {
    return this.active.map((f) => ({
      ...f.spec,
      ...(f.remaining === undefined ? {} : { remaining: f.remaining }),
    }));
  }

  /** A 'refuse' for every request with no count: the port must stop listening. */
  refusesListening(): boolean {
    return this.active.some((f) => stopsListening(f.spec));
  }

  /** Consumes a counted, model-less 'refuse' for a new connection. */
  takeConnectionRefusal(): boolean {
    const fault = this.active.find((f) => f.spec.kind === 'refuse' && f.spec.model === undefined);
    if (!fault) return false;
    this.consume(fault);
    return true;
  }

  /** The fault for a request (consumed), if one matches. */
  take(target: FaultTarget): FaultSpec | undefined {
    const canonical = target.model === undefined ? undefined : canonicalModelName(target.model);
    const fault = this.active.find((f) => {
      if (f.spec.model !== undefined)
        return canonical !== undefined && canonicalModelName(f.spec.model) === canonical;
      if (f.spec.kind === 'refuse') return false;
      return f.spec.kind === 'hang' || target.model !== undefined;
    });
    if (!fault) return undefined;
    this.consume(fault);
    return fault.spec;
  }

  private consume(fault: ActiveFault): void {
    if (fault.remaining === undefined) return;
    fault.remaining--;
    if (fault.remaining <= 0) this.drop(fault);
  }

  private drop(fault: ActiveFault): void {
    clearTimeout(fault.expiryTimer);
    const index = this.active.indexOf(fault);
    if (index < 0) return;
    this.active.splice(index, 1);
    this.onChange();
  }

  private stopTimers(): void {
    for (const fault of this.active) clearTimeout(fault.expiryTimer);
  }

  /** Clears every timer; the list stays as it is. */
  close(): void {
    this.stopTimers();
  }
}
