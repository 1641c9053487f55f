import { describe, expect, it } from 'vitest';
import { countPromptTokens, embeddingVector, generateTokens, tokenIds } from './text-generation.ts';

describe('generated text', () => {
  it('is a function of the seed key, and a shorter answer is a prefix of a longer one', () => {
    expect(generateTokens('k', 20)).toEqual(generateTokens('k', 20));
    expect(generateTokens('k', 20)).not.toEqual(generateTokens('other', 20));
    expect(generateTokens('k', 20).slice(0, 7)).toEqual(generateTokens('k', 7));
    const tokens = generateTokens('k', 20);
    expect(tokens).toHaveLength(20);
    expect(tokens.slice(1).every((t) => t.startsWith(' '))).toBe(true);
  });

  it('counts prompt tokens as words and marks', () => {
    expect(countPromptTokens('Why is the sky blue?')).toBe(6);
    expect(countPromptTokens('')).toBe(1);
  });

  it('gives stable token ids and unit vectors', () => {
    expect(tokenIds('k', 5)).toEqual(tokenIds('k', 5));
    const v = embeddingVector('k', 32);
    expect(Math.sqrt(v.reduce((s, x) => s + x * x, 0))).toBeCloseTo(1, 4);
  });
});
