/**
 * The load generator: its own process (forked by the bench with an IPC channel), so its CPU never
 * counts against the server it measures. Runs one job per message; exits when the channel closes.
 */
import type { LoadJob, LoadReply, LoadRequest, LoadResult } from './jobs.ts';
import { runClosedLoop, runOpenLoop } from './open-loop.ts';
import { holdStreams, releaseStreams, runStreamThroughput, runStreamTtft } from './streams.ts';

function run(job: LoadJob): Promise<LoadResult> {
  switch (job.kind) {
    case 'open-loop':
      return runOpenLoop(job);
    case 'closed-loop':
      return runClosedLoop(job);
    case 'stream-throughput':
      return runStreamThroughput(job);
    case 'stream-ttft':
      return runStreamTtft(job);
    case 'hold-streams':
      return holdStreams(job);
    case 'release-streams':
      return releaseStreams();
  }
}

function reply(message: LoadReply): void {
  process.send?.(message);
}

if (!process.send) {
  process.stderr.write('load-process: start it with an IPC channel (child_process.fork)\n');
  process.exit(2);
}

process.on('message', (message: LoadRequest) => {
  run(message.job).then(
    (result) => reply({ id: message.id, ok: true, result }),
    (error: unknown) =>
      reply({
        id: message.id,
        ok: false,
        message: error instanceof Error ? (error.stack ?? error.message) : String(error),
      }),
  );
});
// The bench went away (finished, crashed or Ctrl-C): nothing left to do.
process.on('disconnect', () => process.exit(0));
