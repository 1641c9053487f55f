/**
 * Live (WebSocket) benchmark: 100 dashboard clients at 1 Hz against a server process whose metrics
 * cover 20 targets x 10 models. Reports the server's CPU per tick (with 100 clients, less the same
 * process idle of clients), bytes per message, and its memory while 10 clients read nothing at all.
 * Run: `pnpm exec tsx bench/live/index.ts [--quick]` in apps/server.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const here = dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes('--quick');
const PHASE_MS = quick ? 8_000 : 20_000;
const TOKEN = 'live-bench-token-0123456789';
const TICKS_PER_SEC = 1;

function cpuMs(pid: number): number {
  // utime + stime, fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100 Hz on Linux).
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function rssKiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.split(/\s+/)[1] ?? 0);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Client {
  ws: WebSocket;
  messages: number;
  bytes: number;
  snapshotBytes: number;
}

function connect(port: number, paused: boolean): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, {
      headers: { authorization: `Bearer ${TOKEN}` },
      perMessageDeflate: false,
    });
    const client: Client = { ws, messages: 0, bytes: 0, snapshotBytes: 0 };
    ws.on('message', (data: Buffer) => {
      client.messages++;
      client.bytes += data.length;
      if (client.snapshotBytes === 0) client.snapshotBytes = data.length;
      // A deliberately slow client: stop reading after the first message, so the server's buffer fills.
      if (paused) (ws as unknown as { _socket: { pause(): void } })._socket.pause();
    });
    ws.once('open', () => resolve(client));
    ws.once('error', reject);
  });
}

async function main(): Promise<void> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(here, 'server.ts')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stop = () => child.kill('SIGKILL');
  process.on('exit', stop);
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      const m = /ready (\d+)/.exec(String(d));
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  const pid = child.pid!;
  await sleep(3_000); // warm-up: the engine fills its windows, JIT settles

  const idleStart = cpuMs(pid);
  await sleep(PHASE_MS);
  const idleCpuPerSec = (cpuMs(pid) - idleStart) / (PHASE_MS / 1000);

  const clients = await Promise.all(Array.from({ length: 100 }, () => connect(port, false)));
  await sleep(2_000);
  for (const c of clients) {
    c.messages = 0;
    c.bytes = 0;
  }
  const busyStart = cpuMs(pid);
  await sleep(PHASE_MS);
  const busyCpuPerSec = (cpuMs(pid) - busyStart) / (PHASE_MS / 1000);
  const messages = clients.reduce((n, c) => n + c.messages, 0);
  const bytes = clients.reduce((n, c) => n + c.bytes, 0);
  const snapshotBytes = clients[0]!.snapshotBytes;
  const rssWith100 = rssKiB(pid);

  const slow = await Promise.all(Array.from({ length: 10 }, () => connect(port, true)));
  const rssSamples: number[] = [];
  for (let i = 0; i < (quick ? 8 : 30); i++) {
    await sleep(1_000);
    rssSamples.push(rssKiB(pid));
  }
  for (const c of [...clients, ...slow]) c.ws.terminate();
  stop();

  const perTickMs = (busyCpuPerSec - idleCpuPerSec) / TICKS_PER_SEC;
  const rows = [
    ['server CPU per tick, 100 clients (minus the same process with none)', `${perTickMs.toFixed(1)} ms`],
    ['server CPU with no clients (engine fed ~200 calls/s)', `${idleCpuPerSec.toFixed(0)} ms/s`],
    ['messages per client per second', (messages / 100 / (PHASE_MS / 1000)).toFixed(2)],
    ['bytes per delta message (mean)', `${Math.round(bytes / Math.max(1, messages))}`],
    ['bytes of the first snapshot message', `${snapshotBytes}`],
    ['server RSS with 100 clients', `${(rssWith100 / 1024).toFixed(0)} MiB`],
    [
      `server RSS with 10 stalled clients added (min / max over ${rssSamples.length} s)`,
      `${(Math.min(...rssSamples) / 1024).toFixed(0)} / ${(Math.max(...rssSamples) / 1024).toFixed(0)} MiB`,
    ],
    [
      'RSS growth over the last half of the stalled period',
      `${((rssSamples.at(-1)! - rssSamples[Math.floor(rssSamples.length / 2)]!) / 1024).toFixed(1)} MiB`,
    ],
  ];
  const header =
    `Live benchmark: ${availableParallelism()} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}; ` +
    `20 targets x 10 models; command: pnpm exec tsx bench/live/index.ts${quick ? ' --quick' : ''}`;
  process.stdout.write(
    `${header}\n\n| measure | value |\n|---|---|\n${rows.map((r) => `| ${r[0]} | ${r[1]} |`).join('\n')}\n`,
  );
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`live bench failed: ${(error as Error).stack}\n`);
  process.exit(1);
});
