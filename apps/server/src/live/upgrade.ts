import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { originAllowed } from '../admin/csrf.ts';
import { SESSION_COOKIE, type SessionSigner } from '../admin/session.ts';
import { tokenMatches } from '../admin/token.ts';
import type { LiveHub } from './hub.ts';

export interface LiveUpgradeOptions {
  adminToken: string;
  sessions: SessionSigner;
  hub: LiveHub;
  /** Origins accepted besides the request's own host (the public URL behind a proxy). */
  trustedOrigins?: readonly string[];
}

/**
 * Serves `GET /ws` on the dashboard server: the admin token (bearer) or a session cookie, and, from a
 * browser, an `Origin` of the dashboard itself (a cross-site page cannot ride the cookie).
 */
export function attachLiveUpgrade(server: Server, options: LiveUpgradeOptions): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/ws') return refuse(socket, 404, 'Not Found');
    if (!sameOrigin(req, options.trustedOrigins)) return refuse(socket, 403, 'Forbidden');
    if (!authenticated(req, options)) return refuse(socket, 401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => options.hub.attach(ws));
  });
  return wss;
}

/** Browsers always send `Origin` on WebSocket handshakes; other clients (curl, scripts) may not. */
export function sameOrigin(req: IncomingMessage, trustedOrigins: readonly string[] = []): boolean {
  const origin = req.headers.origin;
  return origin === undefined || originAllowed(origin, req.headers.host, trustedOrigins);
}

function authenticated(req: IncomingMessage, options: LiveUpgradeOptions): boolean {
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ')) return tokenMatches(header.slice(7).trim(), options.adminToken);
  return options.sessions.verify(cookieValue(req.headers.cookie, SESSION_COOKIE));
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined; // malformed %-escapes: a forged cookie, never one we set
      }
    }
  }
  return undefined;
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
