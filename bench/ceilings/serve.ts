import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/**
 * What every ceiling server shares: node:http on PORT, GET /readyz, a JSON answer, and a
 * clean stop on SIGTERM. A ceiling does the least a server can do for the request: no
 * framework, no validation, no authentication.
 */
export function serve(handle: (req: IncomingMessage, body: string) => Promise<{ status: number; json: unknown }>, close: () => Promise<void> = async () => {}) {
  const send = (res: ServerResponse, status: number, json: unknown) => {
    const body = JSON.stringify(json);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  const server = createServer((req, res) => {
    if (req.url === '/readyz') return send(res, 200, { status: 'ready' });
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      handle(req, Buffer.concat(chunks).toString()).then(
        ({ status, json }) => send(res, status, json),
        (err: unknown) => send(res, 500, { error: String(err) }),
      );
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(Number(process.env.PORT), '127.0.0.1');
  process.once('SIGTERM', () => {
    server.close();
    server.closeAllConnections();
    close().finally(() => process.exit(0));
  });
}

/** [tenant id, customer id] from /customers/<tenant id>/<customer id>, or [null, null]. */
export function keyOf(url: string | undefined): [string | null, string | null] {
  const match = /^\/customers\/([0-9a-f-]{36})\/([0-9a-f-]{36})$/.exec(url ?? '');
  return match ? [match[1]!, match[2]!] : [null, null];
}
