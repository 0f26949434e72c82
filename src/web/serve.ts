import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Command } from 'commander';
import { ServeListenError, ServeOptionsError } from '../errors/codes.js';
import { DEFAULT_PATH, ErrorStore } from '../ext/local/store.js';
import { isLoopbackHost, newToken, TOKEN_PATTERN } from './access.js';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8970;
/** How often the page's server looks for events other processes wrote. */
const DEFAULT_POLL_MS = 1000;
/** The project id a DSN names; the page keeps one store whatever project an SDK sends for. */
const DSN_PROJECT = '1';

export interface ServeOptions {
  /** The error store's file; created (with its folder) when missing, so the ingest route can be the first writer. */
  readonly db: string;
  /** Default 127.0.0.1. Any address other than the loopback one requires a token. */
  readonly host?: string;
  /** Default 8970; 0 picks a free port. */
  readonly port?: number;
  /** Required on every request; generated when the host is not a loopback address and none is given. */
  readonly token?: string;
  /** How often to look for new events for live updates. Default 1000 ms. */
  readonly pollMs?: number;
  /** The largest envelope the ingest route takes, decompressed. Default 20 MiB. */
  readonly maxEnvelopeBytes?: number;
}

export interface RunningPage {
  /** The page's address, with `?token=` when it has a token. */
  readonly url: string;
  /** What an app's Sentry SDK takes as its DSN to write into this store; its key is the token when there is one. */
  readonly dsn: string;
  readonly token: string | undefined;
  readonly store: ErrorStore;
  /** Ends live streams, stops listening and closes the store. */
  close(): Promise<void>;
}

/**
 * Serves the local error store's page: the issue list, each issue, resolve, ignore and reopen, live updates, and a
 * Sentry-compatible ingest route. On the loopback address by default; on any other, a token is required (one is
 * generated when none is given).
 */
export async function serve(options: ServeOptions): Promise<RunningPage> {
  // Loaded here, not with the CLI: the page's event building reads discord.js, which would cost every other command
  // (`lantern issues`, `--help`) seconds of start-up.
  const [{ pageApp }, { DEFAULT_MAX_ENVELOPE_BYTES }] = await Promise.all([import('./app.js'), import('./ingest.js')]);
  const host = options.host ?? DEFAULT_HOST;
  const port = options.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new ServeOptionsError('--port', `must be 0 to 65535 (got ${String(port)})`);
  if (host.trim() === '') throw new ServeOptionsError('--host', 'must name an address');
  if (options.token !== undefined && !TOKEN_PATTERN.test(options.token))
    throw new ServeOptionsError('--token', 'must be 16 to 128 letters, digits or _ (it goes into a URL, a cookie and a DSN key)');
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  if (!Number.isInteger(pollMs) || pollMs < 10)
    throw new ServeOptionsError('pollMs', 'must be a whole number of milliseconds, at least 10');
  const maxEnvelopeBytes = options.maxEnvelopeBytes ?? DEFAULT_MAX_ENVELOPE_BYTES;
  if (!Number.isInteger(maxEnvelopeBytes) || maxEnvelopeBytes < 1024)
    throw new ServeOptionsError('maxEnvelopeBytes', 'must be a whole number of bytes, at least 1024');
  const token = options.token ?? (isLoopbackHost(host) ? undefined : newToken());

  const store = await ErrorStore.open(options.db);
  const closing = new AbortController();
  let origin = '';
  const dsn = (): string => `${origin.replace('//', `//${token ?? 'lantern'}@`)}/${DSN_PROJECT}`;
  const { app, feed } = pageApp({ store, token, dsn, pollMs, maxEnvelopeBytes, closing: closing.signal });
  const server = createAdaptorServer({ fetch: app.fetch, overrideGlobalObjects: false }) as Server;
  try {
    server.listen(port, host);
    await once(server, 'listening');
  } catch (error) {
    store.close();
    const code = (error as NodeJS.ErrnoException).code;
    const address = `${host}:${String(port)}`;
    if (code === 'EADDRINUSE') throw new ServeListenError(address, 'the port is taken: pass another with --port', { cause: error });
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN')
      throw new ServeListenError(address, 'that host is not an address of this machine', { cause: error });
    if (code === 'EACCES') throw new ServeListenError(address, 'not allowed (ports under 1024 need privileges)', { cause: error });
    throw new ServeListenError(address, (error as Error).message, { cause: error });
  }
  const listening = (server.address() as AddressInfo).port;
  origin = `http://${urlHost(host)}:${String(listening)}`;
  let closed: Promise<void> | undefined;
  return {
    url: `${origin}/${token === undefined ? '' : `?token=${token}`}`,
    dsn: dsn(),
    token,
    store,
    close: () => {
      closed ??= (async () => {
        closing.abort();
        feed.close();
        const stopped = once(server, 'close');
        server.close();
        server.closeAllConnections();
        await stopped;
        store.close();
      })();
      return closed;
    },
  };
}

/** The host as it goes into a URL: an IPv6 address in brackets, and a wildcard address as the machine itself. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/**
 * Adds `lantern serve` to a commander program: `--db PATH`, `--port N`, `--host H`, `--token T`. It prints the
 * page's address (and the token, when there is one) and the DSN for the ingest route, and runs until SIGINT or
 * SIGTERM.
 */
export function addServeCommand(program: Command, out: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Command {
  return program
    .command('serve')
    .description('Serve the error store as a web page, with live updates and a Sentry-compatible ingest route')
    .option('--db <path>', 'the store file', DEFAULT_PATH)
    .option('--port <n>', 'the port (0 for any free one)', String(DEFAULT_PORT))
    .option('--host <host>', 'the address to listen on; any but the loopback one requires a token', DEFAULT_HOST)
    .option('--token <token>', 'the token every request must hold (generated off the loopback address)')
    .action(async (flags: { db: string; port: string; host: string; token?: string }) => {
      const port = /^\d+$/.test(flags.port) ? Number(flags.port) : NaN;
      const page = await serve({ db: flags.db, port, host: flags.host, token: flags.token });
      const lines = [
        `Lantern is serving ${page.store.path}`,
        `  page: ${page.url}`,
        ...(page.token === undefined ? [] : [`  token: ${page.token} (every request needs it; the address above sets it)`]),
        `  Sentry DSN for the ingest route: ${page.dsn}`,
        'Ctrl+C stops it.',
      ];
      for (const line of lines) out(line);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await page.close();
    });
}
