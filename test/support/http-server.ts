import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';

/**
 * An HTTP server on 127.0.0.1, closed after the file: it answers every request with `body`, or (`hang`) takes each one
 * and never answers, as a tracker that hangs. It counts the requests it got and those whose connection is still open.
 */
export async function localServer({ hang = false, body = 'ok' }: { hang?: boolean; body?: string } = {}) {
  let requests = 0;
  let open = 0;
  const server = createServer((request, response) => {
    requests++;
    open++;
    request.socket.once('close', () => open--);
    request.resume();
    if (!hang) response.end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  return { port: (server.address() as AddressInfo).port, requests: () => requests, open: () => open };
}
