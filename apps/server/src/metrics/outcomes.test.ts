import { OUTCOMES } from '@lookout/contracts';
import { describe, expect, it } from 'vitest';
import { CALL_OUTCOMES } from './call-events.ts';

describe('outcome lists', () => {
  it('are the same in @lookout/contracts and in the client-core call events', () => {
    expect([...OUTCOMES]).toEqual([...CALL_OUTCOMES]);
  });
});
