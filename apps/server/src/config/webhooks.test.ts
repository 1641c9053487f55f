import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configDir, problemsOf } from './config-fixture.ts';
import { loadConfig } from './load.ts';

const dirWith = (yaml: string): string => configDir({ 'lookout.yaml': yaml });

describe('alert notification settings', () => {
  it('has no webhooks and no public URL by default', () => {
    const { config } = loadConfig({ env: {}, argv: [], cwd: dirWith('') });
    expect(config.webhooks).toEqual([]);
    expect(config.publicUrl).toBeUndefined();
  });

  it('reads webhooks from lookout.yaml, json by default', () => {
    const cwd = dirWith(
      [
        'webhooks:',
        '  - id: ops',
        '    url: https://alerts.example.test/lookout',
        '    headers: { Authorization: Bearer abc }',
        '  - id: team-chat',
        '    name: Team chat',
        '    url: https://hooks.slack.example.test/services/T/B/X',
        '    kind: slack',
      ].join('\n'),
    );
    const { config } = loadConfig({ env: {}, argv: [], cwd });
    expect(config.webhooks).toEqual([
      {
        id: 'ops',
        url: 'https://alerts.example.test/lookout',
        kind: 'json',
        headers: { Authorization: 'Bearer abc' },
      },
      {
        id: 'team-chat',
        name: 'Team chat',
        url: 'https://hooks.slack.example.test/services/T/B/X',
        kind: 'slack',
      },
    ]);
  });

  it('names the webhook key at fault', () => {
    const cwd = dirWith(
      [
        'webhooks:',
        '  - { id: ops, url: "ftp://x" }',
        '  - { id: ops, url: "http://y.test", kind: teams }',
      ].join('\n'),
    );
    const file = join(cwd, 'lookout.yaml');
    expect(problemsOf(() => loadConfig({ env: {}, argv: [], cwd }))).toEqual([
      `${file}: webhooks[0].url: expected an http(s) URL`,
      `${file}: webhooks[1].kind: kind must be one of "json", "slack"; got "teams"`,
    ]);
    const dup = dirWith(
      ['webhooks:', '  - { id: ops, url: "http://a.test" }', '  - { id: ops, url: "http://b.test" }'].join(
        '\n',
      ),
    );
    expect(problemsOf(() => loadConfig({ env: {}, argv: [], cwd: dup }))).toEqual([
      `${join(dup, 'lookout.yaml')}: webhooks[1].id: duplicate webhook "ops"`,
    ]);
  });

  it('takes LOOKOUT_PUBLIC_URL (or --public-url) without a trailing slash, and refuses a non-URL', () => {
    const cwd = dirWith('');
    const env = { LOOKOUT_PUBLIC_URL: 'https://lookout.example.test/' };
    expect(loadConfig({ env, argv: [], cwd }).config.publicUrl).toBe('https://lookout.example.test');
    const flag = loadConfig({ env, argv: ['--public-url', 'http://10.0.0.2:11436'], cwd });
    expect(flag.config.publicUrl).toBe('http://10.0.0.2:11436');
    expect(
      problemsOf(() => loadConfig({ env: { LOOKOUT_PUBLIC_URL: 'lookout.local' }, argv: [], cwd })),
    ).toEqual([
      'LOOKOUT_PUBLIC_URL: expected the http(s) address people open the dashboard at, like https://lookout.example.com',
    ]);
  });
});
