import { describe, expect, it } from 'vitest';
import { canonicalModel, modelPatternMatches } from './model-names.ts';
import { type RoutableTarget, TargetRouter } from './router.ts';

function target(name: string, health: RoutableTarget['health'], models: string[] | undefined, load = 0) {
  return {
    name,
    health,
    models: models ? new Set(models.map(canonicalModel)) : undefined,
    load,
    outstanding() {
      return this.load;
    },
  };
}

describe('model names', () => {
  it('treats a bare name as :latest and matches patterns', () => {
    expect(canonicalModel('llama3.2')).toBe('llama3.2:latest');
    expect(canonicalModel('llama3.2:1b')).toBe('llama3.2:1b');
    expect(canonicalModel('registry.local:5000/me/model')).toBe('registry.local:5000/me/model:latest');
    expect(modelPatternMatches('*embed*', 'nomic-embed-text')).toBe(true);
    expect(modelPatternMatches('llama3.2', 'llama3.2:latest')).toBe(false);
    expect(modelPatternMatches('llama3.2:latest', 'llama3.2')).toBe(true);
    expect(modelPatternMatches('qwen*', 'llama3.2')).toBe(false);
  });
});

describe('TargetRouter', () => {
  it('sends a model only to targets that have it, up first, then least outstanding', () => {
    const a = target('a', 'up', ['llama3.2:1b'], 3);
    const b = target('b', 'up', ['llama3.2:1b'], 1);
    const c = target('c', 'up', ['qwen3:8b'], 0);
    const d = target('d', 'down', ['llama3.2:1b'], 0);
    const router = new TargetRouter([a, b, c, d], []);
    expect(router.candidates('llama3.2:1b').map((t) => t.name)).toEqual(['b', 'a', 'd']);
    expect(router.candidates('qwen3:8b').map((t) => t.name)).toEqual(['c']);
  });

  it('falls back to every allowed target when none lists the model', () => {
    const router = new TargetRouter([target('a', 'up', ['x:1']), target('b', 'unknown', undefined)], []);
    expect(router.candidates('nope:1').map((t) => t.name)).toEqual(['a', 'b']);
  });

  it('keeps pooled models on their pool', () => {
    const chat = target('chat', 'up', ['nomic-embed-text', 'llama3.2:1b']);
    const emb = target('emb', 'up', ['nomic-embed-text'], 5);
    const router = new TargetRouter([chat, emb], [{ name: 'e', models: ['*embed*'], targets: ['emb'] }]);
    expect(router.candidates('nomic-embed-text').map((t) => t.name)).toEqual(['emb']);
    expect(router.candidates('llama3.2:1b').map((t) => t.name)).toEqual(['chat']);
  });

  it('rotates between equal targets and fails over to untried ones', () => {
    const router = new TargetRouter([target('a', 'up', ['m:1']), target('b', 'up', ['m:1'])], []);
    const firsts = new Set([0, 1, 2, 3].map(() => router.candidates('m:1')[0]!.name));
    expect(firsts).toEqual(new Set(['a', 'b']));
    expect(router.pick('m:1', new Set(['a']))!.name).toBe('b');
    expect(router.pick('m:1', new Set(['b']))!.name).toBe('a');
    expect(['a', 'b']).toContain(router.pick('m:1', new Set(['a', 'b']))!.name);
  });
});
