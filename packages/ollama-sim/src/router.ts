import type { IncomingMessage, ServerResponse } from 'node:http';
import { applyEarlyFault, Call, type SimContext } from './call.ts';
import { RequestCancelled } from './clock.ts';
import { hostAllowed } from './host-check.ts';
import { handleNativeEmbed } from './native-embed.ts';
import { handleNativeGeneration } from './native-generate.ts';
import {
  handleCopy,
  handleDelete,
  handlePs,
  handleRoot,
  handleShow,
  handleTags,
  handleVersion,
} from './native-models.ts';
import { handlePull } from './native-pull.ts';
import { handleOpenaiGeneration } from './openai-generation.ts';
import { handleOpenaiEmbeddings, handleOpenaiModel, handleOpenaiModels } from './openai-models.ts';
import { ReplyEndedByFault } from './reply-writer.ts';
import { nativeSpelling, openaiSpelling } from './spelling.ts';

type Handler = (sim: SimContext, call: Call, param: string) => Promise<void> | void;

interface Route {
  methods: string[];
  /** Exact path, or a prefix ending in '/' followed by one path parameter. */
  path: string;
  param?: true;
  handler: Handler;
  /** The handler reads a model from the body and takes its fault itself. */
  modelBearing?: true;
}

/** Ollama's routes (server/routes.go GenerateRoutes) that the simulator serves. */
const ROUTES: Route[] = [
  { methods: ['GET', 'HEAD'], path: '/', handler: handleRoot },
  { methods: ['GET', 'HEAD'], path: '/api/version', handler: handleVersion },
  { methods: ['POST'], path: '/api/pull', handler: handlePull, modelBearing: true },
  { methods: ['GET', 'HEAD'], path: '/api/tags', handler: handleTags },
  { methods: ['POST'], path: '/api/show', handler: handleShow, modelBearing: true },
  { methods: ['DELETE'], path: '/api/delete', handler: handleDelete },
  { methods: ['POST'], path: '/api/copy', handler: handleCopy },
  { methods: ['GET'], path: '/api/ps', handler: handlePs },
  {
    methods: ['POST'],
    path: '/api/generate',
    handler: (s, c) => handleNativeGeneration(s, c, 'generate'),
    modelBearing: true,
  },
  {
    methods: ['POST'],
    path: '/api/chat',
    handler: (s, c) => handleNativeGeneration(s, c, 'chat'),
    modelBearing: true,
  },
  {
    methods: ['POST'],
    path: '/api/embed',
    handler: (s, c) => handleNativeEmbed(s, c, false),
    modelBearing: true,
  },
  {
    methods: ['POST'],
    path: '/api/embeddings',
    handler: (s, c) => handleNativeEmbed(s, c, true),
    modelBearing: true,
  },
  {
    methods: ['POST'],
    path: '/v1/chat/completions',
    handler: (s, c) => handleOpenaiGeneration(s, c, 'chat'),
    modelBearing: true,
  },
  {
    methods: ['POST'],
    path: '/v1/completions',
    handler: (s, c) => handleOpenaiGeneration(s, c, 'completion'),
    modelBearing: true,
  },
  { methods: ['POST'], path: '/v1/embeddings', handler: handleOpenaiEmbeddings, modelBearing: true },
  { methods: ['GET'], path: '/v1/models', handler: handleOpenaiModels },
  { methods: ['GET'], path: '/v1/models/', param: true, handler: handleOpenaiModel, modelBearing: true },
];

function matchPath(route: Route, path: string): string | undefined {
  if (!route.param) return route.path === path ? '' : undefined;
  if (!path.startsWith(route.path)) return undefined;
  const param = path.slice(route.path.length);
  if (param === '' || param.includes('/')) return undefined;
  try {
    return decodeURIComponent(param);
  } catch {
    return undefined;
  }
}

/** Serves one request on the Ollama surface: host check, gin's 404/405, the route, errors. */
export async function serveOllama(sim: SimContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0] as string;
  const call = new Call(req, res, path, sim.stats);
  try {
    if (sim.options.checkHost) {
      if (!hostAllowed(req.headers.host)) return call.send(403, undefined, '');
      if (req.method === 'OPTIONS') return call.send(204, undefined, '');
    }
    let matched: { route: Route; param: string } | undefined;
    let pathKnown = false;
    for (const route of ROUTES) {
      const param = matchPath(route, path);
      if (param === undefined) continue;
      pathKnown = true;
      if (route.methods.includes(req.method ?? '')) {
        matched = { route, param };
        break;
      }
    }
    if (!matched) {
      return pathKnown
        ? call.send(405, 'text/plain', '405 method not allowed')
        : call.send(404, 'text/plain', '404 page not found');
    }
    if (!matched.route.modelBearing) {
      const spelling = path.startsWith('/v1/') ? openaiSpelling(() => '{}') : nativeSpelling(false);
      if (!(await applyEarlyFault(sim, call, undefined, spelling))) return;
    }
    await matched.route.handler(sim, call, matched.param);
  } catch (err) {
    if (err instanceof RequestCancelled || err instanceof ReplyEndedByFault) return;
    if (call.signal.aborted) return;
    if (!res.headersSent) call.sendJson(500, { error: err instanceof Error ? err.message : String(err) });
    else res.destroy();
  }
}
