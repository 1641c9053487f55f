import { describe, expect, it } from 'vitest';
import { fetchRaw, ndjson, simulatorPerTest } from './test-support.ts';

const start = simulatorPerTest();

describe('/api/pull', () => {
  it('streams NDJSON progress: manifest, layers with digest/total/completed, verify, write, success', async () => {
    const { url } = await start({ pullProgressIntervalMs: 1 });
    const reply = await fetchRaw(url, '/api/pull', { body: { model: 'qwen2:0.5b' } });
    expect(reply.headers['content-type']).toBe('application/x-ndjson');
    const lines = ndjson(reply.body);
    expect(lines[0]).toEqual({ status: 'pulling manifest' });
    expect(lines.slice(-3)).toEqual([
      { status: 'verifying sha256 digest' },
      { status: 'writing manifest' },
      { status: 'success' },
    ]);
    const layerLines = lines.slice(1, -3);
    for (const line of layerLines) {
      expect(line.status).toBe(`pulling ${String(line.digest).slice(7, 19)}`);
      expect(line.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(Number(line.completed ?? 0)).toBeLessThanOrEqual(Number(line.total));
    }
    const first = layerLines.filter((l) => l.digest === layerLines[0]?.digest);
    expect(first[0]?.completed).toBeUndefined();
    expect(first.at(-1)?.completed).toBe(first.at(-1)?.total);
    const tags = JSON.parse((await fetchRaw(url, '/api/tags')).body) as { models: { name: string }[] };
    expect(tags.models[0]?.name).toBe('qwen2:0.5b');
  });

  it('stream:false answers the last status only', async () => {
    const { url } = await start();
    const reply = await fetchRaw(url, '/api/pull', { body: { name: 'llama3.2:1b', stream: false } });
    expect([reply.status, reply.headers['content-type'], reply.body]).toEqual([
      200,
      'application/json',
      '{"status":"success"}',
    ]);
  });

  it('a name the registry lacks fails after "pulling manifest" (a 500 when not streamed)', async () => {
    const { url } = await start({ pullableModels: ['qwen2:0.5b'] });
    const streamed = await fetchRaw(url, '/api/pull', { body: { model: 'missing:1b' } });
    expect(ndjson(streamed.body)).toEqual([
      { status: 'pulling manifest' },
      { error: 'pull model manifest: file does not exist' },
    ]);
    const whole = await fetchRaw(url, '/api/pull', { body: { model: 'missing:1b', stream: false } });
    expect([whole.status, whole.body]).toEqual([500, '{"error":"pull model manifest: file does not exist"}']);
    const invalid = await fetchRaw(url, '/api/pull', { body: { model: '' } });
    expect([invalid.status, invalid.body]).toEqual([400, '{"error":"invalid model name"}']);
  });
});
