/**
 * A bare Node relay (node:http server, undici pool, bytes piped through; no gate, budgets or metrics):
 * the floor any Node relay pays on this machine, to tell Lookout's own cost from Node's.
 * Run: `node --import tsx bench/relay/node-proxy.ts <upstream origin>`; prints `node-proxy listening on <url>`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';

const upstream = process.argv[2];
if (!upstream) {
  process.stderr.write('usage: node-proxy.ts <upstream origin>\n');
  process.exit(2);
}
const pool = new Pool(upstream, { connections: 1024, keepAliveTimeout: 120_000 });
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'content-length']);

const server = createServer({ keepAliveTimeout: 120_000 }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    }
    const gone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) gone.abort();
    });
    pool
      .request({
        method: req.method as 'GET',
        path: req.url ?? '/',
        headers,
        ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
        signal: gone.signal,
      })
      .then(async (up) => {
        const out: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(up.headers)) {
          if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
        }
        const length = up.headers['content-length'];
        if (typeof length === 'string') out['content-length'] = length;
        res.writeHead(up.statusCode, out);
        for await (const chunk of up.body) {
          if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
        }
        res.end();
      })
      .catch(() => {
        if (!res.headersSent) res.writeHead(502).end();
        else res.destroy();
      });
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(
    `node-proxy listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`,
  );
});
const stop = (): void => {
  server.close();
  server.closeAllConnections();
  void pool.destroy().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
