/** Test helpers: raw node:http servers at listen(0) that track their sockets. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface RawServer {
  url: string;
  port: number;
  server: Server;
  /** Sockets currently open on the server side. */
  readonly openSockets: number;
  /** Requests received so far. */
  readonly requests: number;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Server-side close events of requests, with their monotonic time (ms). */
  readonly requestCloses: number[];
  close(): Promise<void>;
}

export type RawHandler = (req: IncomingMessage, res: ServerResponse, index: number) => void | Promise<void>;

/** Starts a server on 127.0.0.1:0; `close()` destroys any socket still open. */
export async function startRawServer(handler: RawHandler): Promise<RawServer> {
  const sockets = new Set<Socket>();
  const requestCloses: number[] = [];
  let requests = 0;
  let connections = 0;
  const server = createServer((req, res) => {
    const index = requests++;
    res.on('close', () => requestCloses.push(performance.now()));
    Promise.resolve(handler(req, res, index)).catch((error: unknown) => {
      res.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
  server.on('connection', (socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    server,
    get openSockets() {
      return sockets.size;
    },
    get requests() {
      return requests;
    },
    get connections() {
      return connections;
    },
    requestCloses,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Reads a request body to a string. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

/** Resolves after `ms`. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
