import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fleet, startFleet } from '../testing/harness.ts';

const PROMETHEUS = process.env.LOOKOUT_PROMETHEUS ?? '/usr/bin/prometheus';
const haveProm = existsSync(PROMETHEUS);

/** A real Prometheus scrapes `/metrics` and can query what Lookout counted. */
describe.skipIf(!haveProm)('scraped by Prometheus', () => {
  let fleet: Fleet;
  let prom: ReturnType<typeof spawn> | undefined;
  let promUrl = '';

  beforeAll(async () => {
    fleet = await startFleet([{}], { metricsPublic: true });
    const dir = mkdtempSync(join(tmpdir(), 'lookout-prom-'));
    const target = new URL(fleet.dashboard).host;
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global: { scrape_interval: 1s }\nscrape_configs:\n  - job_name: lookout\n    static_configs: [{ targets: ['${target}'] }]\n`,
    );
    const port = 19000 + Math.floor(Math.random() * 1000);
    promUrl = `http://127.0.0.1:${port}`;
    prom = spawn(
      PROMETHEUS,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: 'ignore' },
    );
  });
  afterAll(async () => {
    prom?.kill('SIGKILL');
    await fleet?.close();
  });

  it('sees the requests Lookout relayed', async () => {
    for (let i = 0; i < 3; i++) {
      await fetch(`${fleet.relay}/api/generate`, {
        method: 'POST',
        body: JSON.stringify({ model: 'llama3.2:1b', prompt: 'x', stream: false }),
      }).then((r) => r.text());
    }
    const query = `${promUrl}/api/v1/query?query=${encodeURIComponent(
      'sum(lookout_requests_total{source="app",outcome="ok",model="llama3.2:1b"})',
    )}`;
    let value = '';
    const deadline = Date.now() + 20_000;
    while (value !== '3' && Date.now() < deadline) {
      try {
        const body = (await (await fetch(query)).json()) as {
          data?: { result?: { value: [number, string] }[] };
        };
        value = body.data?.result?.[0]?.value[1] ?? '';
      } catch {
        // not up yet
      }
      if (value !== '3') await new Promise((r) => setTimeout(r, 250));
    }
    expect(value).toBe('3');
    const up = (await (
      await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent('lookout_target_up{target="sim0"}')}`)
    ).json()) as { data: { result: { value: [number, string] }[] } };
    expect(up.data.result[0]!.value[1]).toBe('1');
  }, 30_000);
});
