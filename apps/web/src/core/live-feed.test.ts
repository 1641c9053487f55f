import type { Snapshot } from '@lookout/contracts';
import { diffSnapshots } from '@lookout/contracts';
import { describe, expect, it } from 'vitest';
import { laterSnapshot, sampleSnapshot, sampleTarget } from '../testing/fixtures.ts';
import { LiveFeed, RESYNC_REQUEST } from './live-feed.ts';

function harness(connected = true) {
  const sent: string[] = [];
  const seen: { snapshot: Snapshot; seq: number }[] = [];
  const errors: string[] = [];
  let nowMs = 0;
  const feed = new LiveFeed({
    send: (text) => {
      if (!connected) return false;
      sent.push(text);
      return true;
    },
    onSnapshot: (snapshot, seq) => seen.push({ snapshot, seq }),
    onProtocolError: (e) => errors.push(e.code),
    now: () => nowMs,
  });
  const advance = (ms: number) => {
    nowMs += ms;
  };
  return { feed, sent, seen, errors, advance };
}

const base = sampleSnapshot();
const snapshotText = (snapshot: Snapshot, seq: number) =>
  JSON.stringify({ type: 'snapshot', seq, data: snapshot });
const deltaText = (prev: Snapshot, next: Snapshot, seq: number) =>
  JSON.stringify({ type: 'delta', seq, ...diffSnapshots(prev, next) });

describe('LiveFeed', () => {
  it('applies deltas in seq order on top of the snapshot', () => {
    const { feed, seen, sent } = harness();
    const s1 = laterSnapshot(base, 1, 5);
    const s2 = {
      ...laterSnapshot(s1, 1, 7),
      targets: [sampleTarget('gpu-a', { queueDepth: 9 }), base.targets[1]!],
    };
    feed.handleText(snapshotText(base, 10));
    feed.handleText(deltaText(base, s1, 11));
    feed.handleText(deltaText(s1, s2, 12));
    expect(seen.map((s) => s.seq)).toEqual([10, 11, 12]);
    expect(seen[2]!.snapshot).toEqual(s2);
    expect(sent).toEqual([]);
  });

  it('asks for a snapshot on a gap and ignores deltas until it comes', () => {
    const { feed, seen, sent } = harness();
    const s1 = laterSnapshot(base, 1, 1);
    const s2 = laterSnapshot(base, 2, 2);
    const s3 = laterSnapshot(base, 3, 3);
    feed.handleText(snapshotText(base, 1));
    feed.handleText(deltaText(s1, s2, 3)); // seq 2 was lost
    expect(sent).toEqual([RESYNC_REQUEST]);
    feed.handleText(deltaText(s2, s3, 4)); // still waiting: not applied, not asked twice
    expect(sent).toEqual([RESYNC_REQUEST]);
    expect(seen.map((s) => s.seq)).toEqual([1]);
    feed.handleText(snapshotText(s3, 4));
    feed.handleText(deltaText(s3, laterSnapshot(base, 4, 4), 5));
    expect(seen.map((s) => [s.seq, s.snapshot.fleet.queueDepth])).toEqual([
      [1, base.fleet.queueDepth],
      [4, 3],
      [5, 4],
    ]);
    expect(feed.counters).toMatchObject({ gaps: 1, resyncRequests: 1, deltasApplied: 1 });
  });

  it('asks again when a resync request goes unanswered', () => {
    const { feed, sent, advance } = harness();
    feed.handleText(snapshotText(base, 1));
    feed.handleText(deltaText(base, base, 5));
    advance(1_000);
    feed.handleText(deltaText(base, base, 6));
    expect(sent).toHaveLength(1);
    advance(2_500);
    feed.handleText(deltaText(base, base, 7));
    expect(sent).toEqual([RESYNC_REQUEST, RESYNC_REQUEST]);
  });

  it('ignores a repeated or older delta without asking for anything', () => {
    const { feed, seen, sent } = harness();
    feed.handleText(snapshotText(base, 7));
    feed.handleText(deltaText(base, laterSnapshot(base, 1, 1), 7));
    feed.handleText(deltaText(base, laterSnapshot(base, 1, 1), 3));
    expect(seen).toHaveLength(1);
    expect(sent).toEqual([]);
  });

  it('after a reconnect, waits for the new connection snapshot (seq restarts)', () => {
    const { feed, seen } = harness();
    feed.handleText(snapshotText(base, 40));
    feed.reset();
    feed.handleText(snapshotText(base, 0));
    feed.handleText(deltaText(base, laterSnapshot(base, 1, 1), 1));
    expect(seen.map((s) => s.seq)).toEqual([40, 0, 1]);
  });

  it('reports what it cannot read, and resyncs when it was a delta', () => {
    const { feed, sent, errors } = harness();
    feed.handleText(snapshotText(base, 1));
    feed.handleText('{not json');
    feed.handleText(JSON.stringify({ type: 'delta', seq: 2, at: 'yesterday' }));
    feed.handleText(JSON.stringify({ type: 'error', code: 'slow_consumer', message: 'fell behind' }));
    expect(errors).toEqual(['invalid_json', 'invalid_message', 'server_error']);
    expect(sent).toEqual([RESYNC_REQUEST]);
  });

  it('passes alert and test-prompt messages on', () => {
    const alerts: string[] = [];
    const tokens: string[] = [];
    const feed = new LiveFeed({
      send: () => true,
      onSnapshot: () => {},
      onAlert: (e) => alerts.push(`${e.ruleName}:${e.to}`),
      onTestPrompt: (m) => tokens.push(m.event === 'token' ? m.text : m.event),
    });
    feed.handleText(
      JSON.stringify({
        type: 'alert',
        event: {
          id: 'ev-1',
          ruleId: 'r1',
          ruleName: 'p95',
          metric: 'latency_p95_ms',
          severity: 'warning',
          scope: { target: 'gpu-a', model: '*' },
          from: 'pending',
          to: 'firing',
          value: 1650,
          threshold: 1500,
          at: '2025-11-22T17:00:40.000Z',
        },
      }),
    );
    feed.handleText(JSON.stringify({ type: 'test_prompt', runId: 'r', event: 'token', text: 'Hi' }));
    expect(alerts).toEqual(['p95:firing']);
    expect(tokens).toEqual(['Hi']);
  });
});
