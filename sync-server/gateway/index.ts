/**
 * The WebSocket side of the server on the HTTP port: `/sync` (multiplexed) and `/yjs/<doc>`
 * (plain y-websocket). Anything else is refused before the upgrade.
 */
import type { FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { ServerContext } from '../context';
import { MultiplexGateway } from './multiplex';
import { YWebsocketEndpoint } from './yws';

/** Hard frame limit: bigger frames close the socket (1009); updates over 2 MB get an error frame. */
export const MAX_FRAME_BYTES = 8 * 1024 * 1024;

export interface Gateway {
  multiplex: MultiplexGateway;
  yws: YWebsocketEndpoint;
}

export function registerGateway(app: FastifyInstance, ctx: ServerContext): Gateway {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
  const multiplex = new MultiplexGateway(ctx);
  const yws = new YWebsocketEndpoint(ctx);
  app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/sync') {
      wss.handleUpgrade(req, socket, head, (ws) => multiplex.accept(ws));
    } else if (url.pathname.startsWith('/yjs/')) {
      const docName = decodeURIComponent(url.pathname.slice('/yjs/'.length));
      const token = url.searchParams.get('token');
      wss.handleUpgrade(req, socket, head, (ws) => void yws.accept(ws, docName, token));
    } else {
      socket.write('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
    }
  });
  ctx.onClose(() => {
    multiplex.close();
    yws.close();
    wss.close();
  });
  return { multiplex, yws };
}
