import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HistoryResponseSchema } from '@lookout/contracts';
import { describe, expect, it } from 'vitest';
import { startFleet, TEST_ADMIN_TOKEN } from '../testing/harness.ts';

describe('history across a restart', () => {
  it('keeps what was counted before the process stopped', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lookout-restart-'));
    const first = await startFleet([{}], { dataDir });
    for (let i = 0; i < 5; i++) {
      await fetch(`${first.relay}/api/generate`, {
        method: 'POST',
        body: JSON.stringify({ model: 'llama3.2:1b', prompt: 'x', stream: false }),
      }).then((r) => r.text());
    }
    await first.close(); // flushes the partial minute

    const second = await startFleet([{}], { dataDir });
    try {
      const res = await fetch(
        `${second.dashboard}/api/history?target=sim0&model=llama3.2:1b&metric=requests&range=1h`,
        {
          headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
        },
      );
      expect(res.status).toBe(200);
      const history = HistoryResponseSchema.parse(await res.json());
      expect(history.points.reduce((n, p) => n + (p.value ?? 0), 0)).toBe(5);

      const bad = await fetch(`${second.dashboard}/api/history?metric=nope&range=1h`, {
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      });
      expect(bad.status).toBe(400);
      expect(
        ((await bad.json()) as { error: { fields: Record<string, string> } }).error.fields,
      ).toHaveProperty('metric');
    } finally {
      await second.close();
    }
  });
});
