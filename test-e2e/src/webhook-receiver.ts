import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local webhook receiver: POSTs to `/hook` are kept; `GET /received` lists them (the tests run in
 * other processes than the one that started it).
 */
export async function startWebhookReceiver(): Promise<{ url: string; server: Server }> {
  const received: unknown[] = [];
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/received') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(received));
      return;
    }
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      try {
        received.push(JSON.parse(body));
      } catch {
        received.push({ unparsed: body });
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
