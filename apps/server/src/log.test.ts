import { describe, expect, it } from 'vitest';
import { createLogger } from './log.ts';

describe('createLogger', () => {
  it('redacts fields that may carry a secret or a prompt, at the top and one level down', () => {
    const lines: string[] = [];
    const log = createLogger('debug', { write: (line: string) => void lines.push(line) });
    log.info(
      {
        token: 'tok-1',
        prompt: 'prompt-1',
        req: { headers: { authorization: 'Bearer tok-2', cookie: 'lookout_session=abc' } },
        call: { prompt: 'prompt-2', adminToken: 'tok-3' },
        config: { relayKeys: ['key-1'] },
        target: 'gpu-1',
      },
      'hello',
    );
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    for (const secret of ['tok-1', 'tok-2', 'tok-3', 'prompt-1', 'prompt-2', 'key-1', 'abc']) {
      expect(lines[0]).not.toContain(secret);
    }
    expect(line).toMatchObject({ token: '[redacted]', target: 'gpu-1', msg: 'hello' });
  });
});
