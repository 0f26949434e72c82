import * as http from 'node:http';
import * as https from 'node:https';

/** What `transportOptions.httpModule` of @sentry/node's transport must offer. */
export interface HttpRequester {
  request(options: http.RequestOptions, callback?: (response: http.IncomingMessage) => void): http.ClientRequest;
}

export interface TimedHttp {
  readonly module: HttpRequester;
  /** Ends every request still open: after the last flush, nothing may keep the process alive. */
  abortAll(): void;
}

/**
 * The SDK's transport has no request timeout: a server that accepts and never answers holds its 64 slots for
 * ever, every later event is dropped and flush waits its whole timeout. Each request here is destroyed after
 * `timeoutMs` without activity, which frees its slot (the event is reported lost as a network error).
 */
export function timedHttp(url: string, timeoutMs: number): TimedHttp {
  const base = new URL(url).protocol === 'https:' ? https : http;
  const open = new Set<http.ClientRequest>();
  return {
    module: {
      request(options, callback) {
        const request = base.request(options, callback);
        open.add(request);
        request.once('close', () => open.delete(request));
        request.setTimeout(timeoutMs, () => {
          request.destroy(new Error(`Sentry did not answer within ${String(timeoutMs)} ms`));
        });
        return request;
      },
    },
    abortAll() {
      for (const request of open) request.destroy(closedError());
      open.clear();
    },
  };
}

/**
 * Ends a request at close. Ended without an error, a request on a reused (kept-alive) connection fails with
 * ECONNRESET, which the SDK answers by sending it again on a new connection, held open for the whole request timeout.
 */
function closedError(): Error {
  return new Error('The Sentry client was closed before Sentry answered');
}
