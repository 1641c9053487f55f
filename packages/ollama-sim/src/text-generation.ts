/** Deterministic stand-ins for model output: tokens, token ids and embedding vectors, all from a seed key. */

/** FNV-1a over the UTF-16 code units of `text`. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: a small seeded generator of floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = [
  'the',
  'model',
  'answers',
  'with',
  'a',
  'short',
  'reply',
  'about',
  'queues',
  'and',
  'slots',
  'while',
  'tokens',
  'arrive',
  'one',
  'by',
  'steady',
  'stream',
  'of',
  'text',
  'that',
  'tests',
  'can',
  'predict',
  'every',
  'request',
  'waits',
  'its',
  'turn',
  'before',
  'server',
  'loads',
  'weights',
  'into',
  'memory',
  'then',
  'it',
  'writes',
  'lines',
  'to',
  'client',
  'until',
  'done',
  'relay',
  'watches',
  'latency',
  'closely',
  'simple',
  'words',
  'keep',
  'output',
  'readable',
  'for',
  'people',
  'who',
  'read',
  'logs',
  'later',
  'on',
  'quiet',
  'nights',
  'when',
  'nothing',
  'fails',
];

/**
 * The first `count` tokens of the answer seeded by `seedKey`; a shorter count yields a prefix of a longer one,
 * so `num_predict` truncates the same text.
 */
export function generateTokens(seedKey: string, count: number): string[] {
  const random = seededRandom(hash32(seedKey));
  const tokens: string[] = [];
  let sentenceStart = true;
  for (let i = 0; i < count; i++) {
    const word = WORDS[Math.floor(random() * WORDS.length)] as string;
    let token = sentenceStart ? word[0]?.toUpperCase() + word.slice(1) : word;
    if (i > 0) token = ` ${token}`;
    sentenceStart = random() < 0.12;
    if (sentenceStart) token += '.';
    tokens.push(token);
  }
  return tokens;
}

/** Tokens a prompt costs: words and punctuation marks, at least one. */
export function countPromptTokens(text: string): number {
  return Math.max(1, text.match(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu)?.length ?? 0);
}

/** Token ids for the `context` array of /api/generate. */
export function tokenIds(seedKey: string, count: number): number[] {
  const random = seededRandom(hash32(`ids:${seedKey}`));
  return Array.from({ length: count }, () => Math.floor(random() * 128_000));
}

/** A unit-length vector for `text`, values rounded to 6 decimals (they print alike as float32 and float64). */
export function embeddingVector(seedKey: string, dimensions: number): number[] {
  const random = seededRandom(hash32(`embed:${seedKey}`));
  const raw = Array.from({ length: dimensions }, () => random() * 2 - 1);
  const norm = Math.sqrt(raw.reduce((sum, v) => sum + v * v, 0)) || 1;
  return raw.map((v) => Math.round((v / norm) * 1e6) / 1e6);
}
