/**
 * JSON as Ollama's Go server writes and reads it: `encoding/json` escapes <, > and & in strings, and the
 * decoder's syntax errors have their own wording, which Ollama returns verbatim in 400 bodies.
 */

const GO_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/** JSON.stringify with Go's escaping of <, >, &, U+2028 and U+2029 (they only ever occur inside strings). */
export function goJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c] ?? c);
}

/** A body the Go decoder rejects; `message` is its error text. */
export interface GoDecodeError {
  code: 'missing_body' | 'syntax' | 'type';
  message: string;
}

export type GoDecodeResult = { ok: true; value: unknown } | { ok: false; error: GoDecodeError };

class SyntaxFailure {
  constructor(readonly message: string) {}
}

function quoteChar(c: string): string {
  if (c === "'") return "'\\''";
  if (c === '"') return `'"'`;
  const quoted = JSON.stringify(c);
  return `'${quoted.slice(1, -1)}'`;
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);

/** Recursive-descent reader of one JSON value with the messages of Go's `encoding/json` scanner. */
class GoScanner {
  pos = 0;
  constructor(private readonly text: string) {}

  private fail(context: string): never {
    if (this.pos >= this.text.length) throw new SyntaxFailure('unexpected EOF');
    throw new SyntaxFailure(`invalid character ${quoteChar(this.text[this.pos] as string)} ${context}`);
  }

  private skipWhitespace(): void {
    while (this.pos < this.text.length && WHITESPACE.has(this.text[this.pos] as string)) this.pos++;
  }

  private peek(): string | undefined {
    return this.text[this.pos];
  }

  value(): unknown {
    this.skipWhitespace();
    const c = this.peek();
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    if (c === 't') return this.literal('true', true);
    if (c === 'f') return this.literal('false', false);
    if (c === 'n') return this.literal('null', null);
    return this.fail('looking for beginning of value');
  }

  private object(): Record<string, unknown> {
    this.pos++;
    const out: Record<string, unknown> = {};
    this.skipWhitespace();
    if (this.peek() === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.peek() !== '"') this.fail('looking for beginning of object key string');
      const key = this.string();
      this.skipWhitespace();
      if (this.peek() !== ':') this.fail('after object key');
      this.pos++;
      out[key] = this.value();
      this.skipWhitespace();
      const next = this.peek();
      if (next === ',') {
        this.pos++;
        continue;
      }
      if (next === '}') {
        this.pos++;
        return out;
      }
      this.fail('after object key:value pair');
    }
  }

  private array(): unknown[] {
    this.pos++;
    const out: unknown[] = [];
    this.skipWhitespace();
    if (this.peek() === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.skipWhitespace();
      const next = this.peek();
      if (next === ',') {
        this.pos++;
        continue;
      }
      if (next === ']') {
        this.pos++;
        return out;
      }
      this.fail('after array element');
    }
  }

  private string(): string {
    const start = this.pos;
    this.pos++;
    for (;;) {
      const c = this.peek();
      if (c === undefined) this.fail('in string literal');
      if (c === '"') break;
      if (c === '\\') {
        this.pos++;
        const e = this.peek();
        if (e === 'u') {
          for (let i = 0; i < 4; i++) {
            this.pos++;
            const h = this.peek();
            if (h === undefined || !/[0-9a-fA-F]/.test(h)) this.fail('in \\u hexadecimal character escape');
          }
        } else if (e === undefined || !'"\\/bfnrt'.includes(e)) {
          this.fail('in string escape code');
        }
      } else if ((c.codePointAt(0) as number) < 0x20) {
        this.fail('in string literal');
      }
      this.pos++;
    }
    this.pos++;
    return JSON.parse(this.text.slice(start, this.pos)) as string;
  }

  private digits(): number {
    const start = this.pos;
    while (this.pos < this.text.length && /[0-9]/.test(this.peek() as string)) this.pos++;
    return this.pos - start;
  }

  private number(): number {
    const start = this.pos;
    if (this.peek() === '-') {
      this.pos++;
      if (!/[0-9]/.test(this.peek() ?? '')) this.fail('in numeric literal');
    }
    if (this.peek() === '0') this.pos++;
    else this.digits();
    if (this.peek() === '.') {
      this.pos++;
      if (this.digits() === 0) this.fail('after decimal point in numeric literal');
    }
    if (this.peek() === 'e' || this.peek() === 'E') {
      this.pos++;
      if (this.peek() === '+' || this.peek() === '-') this.pos++;
      if (this.digits() === 0) this.fail('in exponent of numeric literal');
    }
    return Number(this.text.slice(start, this.pos));
  }

  private literal<T>(word: string, result: T): T {
    for (let i = 0; i < word.length; i++) {
      if (this.peek() !== word[i])
        this.fail(`in literal ${word} (expecting ${quoteChar(word[i] as string)})`);
      this.pos++;
    }
    return result;
  }
}

/** Decodes a request body the way `json.NewDecoder(body).Decode(&v)` does: one value, rest ignored. */
export function goDecode(text: string): GoDecodeResult {
  if (text.trim() === '')
    return { ok: false, error: { code: 'missing_body', message: 'missing request body' } };
  try {
    return { ok: true, value: new GoScanner(text).value() };
  } catch (err) {
    if (err instanceof SyntaxFailure) return { ok: false, error: { code: 'syntax', message: err.message } };
    throw err;
  }
}

/** The name `encoding/json` gives a JSON value's kind in an UnmarshalTypeError. */
export function goValueKind(value: unknown): string {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return Number.isInteger(value) ? 'number' : `number ${value}`;
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return 'array';
  return 'object';
}

const DURATION_UNITS_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** Go's time.ParseDuration, in milliseconds, or Go's error text. */
export function parseGoDuration(text: string): { ok: true; ms: number } | { ok: false; message: string } {
  const invalid = { ok: false as const, message: `time: invalid duration ${JSON.stringify(text)}` };
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return { ok: true, ms: 0 };
  if (rest === '') return invalid;
  let totalNs = 0;
  while (rest !== '') {
    const num = /^([0-9]*)(\.[0-9]*)?/.exec(rest);
    const numText = num?.[0] ?? '';
    if (numText === '' || numText === '.') return invalid;
    rest = rest.slice(numText.length);
    const unit = /^[^0-9.]*/.exec(rest)?.[0] ?? '';
    if (unit === '') return { ok: false, message: `time: missing unit in duration ${JSON.stringify(text)}` };
    const scale = DURATION_UNITS_NS[unit];
    if (scale === undefined) {
      return {
        ok: false,
        message: `time: unknown unit ${JSON.stringify(unit)} in duration ${JSON.stringify(text)}`,
      };
    }
    rest = rest.slice(unit.length);
    totalNs += Number(numText) * scale;
  }
  return { ok: true, ms: (sign * totalNs) / 1e6 };
}
