import { buffer } from 'node:stream/consumers';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DiscordApiFailure, UNAUTHORIZED } from '../discord-error.js';
import type { FormError } from '../discord-error.js';
import type { IncomingFile } from '../messages.js';
import type { FakeState } from '../state.js';
import type { FaultInjector } from './faults.js';
import type { RouteDefinition, Router } from './router.js';

export const API_PREFIX = '/api/v10';

export interface RestRequest {
  readonly method: string;
  /** The path after `/api/v10`. */
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** The JSON body (or `payload_json` of a multipart body); `{}` when there is none. */
  readonly body: Record<string, unknown> | unknown[];
  readonly files: readonly IncomingFile[];
}

export interface RestReply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export type RouteHandler = (request: RestRequest) => RestReply | Promise<RestReply>;

/** One request as the fake saw it. The Authorization header is never kept. */
export interface RecordedRequest {
  readonly method: string;
  /** The path after `/api/v10`, with interaction and webhook tokens replaced by `:token`. */
  readonly path: string;
  /** The query string without its `?` (`wait=true`); empty when there is none. */
  readonly query: string;
  /** The route template it matched (`/channels/:channel_id/messages`), or null for an unknown route. */
  readonly route: string | null;
  readonly status: number;
  /** Wall-clock time the request arrived (ms), before any injected delay. */
  readonly at: number;
  readonly body: unknown;
  /** True when an injected fault answered it. */
  readonly faulted: boolean;
  /** The JSON body of the answer, as sent; only with the `recordResponses` option (undefined for 204 and hangs). */
  readonly response?: unknown;
}

export interface RestServerOptions {
  readonly state: FakeState;
  readonly router: Router<RouteHandler>;
  readonly faults: FaultInjector;
  readonly verifyToken: (token: unknown) => boolean;
  readonly onRequest: (request: RecordedRequest) => void;
  /** Keep each answer's body in the record (a copy, so later changes to the fake's state do not show in it). */
  readonly recordResponses: boolean;
  /** The `Invalid Form Body` errors Discord would answer the request with; none lets it through to its route. */
  readonly validate: (method: string, template: string, body: unknown, query: URLSearchParams) => readonly FormError[];
  /** A route handler threw something that is not a Discord error: a bug in the fake, kept for the test to see. */
  readonly onInternalError: (error: unknown) => void;
}

/** Turns HTTP requests into route calls: body parsing, bot auth, injected faults, Discord-shaped errors. */
export function createRestListener(options: RestServerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(options, req, res).catch((error: unknown) => {
      options.onInternalError(error);
      if (!res.headersSent) send(res, 500, { message: '500: Internal Server Error', code: 0 });
    });
  };
}

async function handle(options: RestServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const arrivedAt = Date.now();
  const url = new URL(req.url ?? '/', 'http://fake');
  const method = (req.method ?? 'GET').toUpperCase();
  const raw = await buffer(req);

  if (url.pathname.startsWith('/attachments/')) {
    serveFile(options.state, url.pathname, res);
    return;
  }
  if (!url.pathname.startsWith(`${API_PREFIX}/`)) {
    send(res, 404, { message: `The fake Discord serves API v10 only, under ${API_PREFIX}`, code: 0 });
    return;
  }
  const path = url.pathname.slice(API_PREFIX.length);
  const match = options.router.match(method, path);
  const recordedPath = 'route' in match ? withoutTokens(path, match.params) : path;
  const query = url.search.slice(1);
  const record = (status: number, route: string | null, body: unknown, faulted = false, sent?: string): void => {
    const response = options.recordResponses && sent !== undefined ? { response: JSON.parse(sent) as unknown } : {};
    options.onRequest({ method, path: recordedPath, query, route, status, at: arrivedAt, body, faulted, ...response });
  };
  /** Answers and records in one step, so the record holds exactly what went out. */
  const answer = (
    status: number,
    route: string | null,
    requestBody: unknown,
    body: unknown,
    { faulted = false, headers }: { faulted?: boolean; headers?: Readonly<Record<string, string>> } = {},
  ): void => {
    record(status, route, requestBody, faulted, send(res, status, body, headers));
  };

  if (!('route' in match)) {
    // Discord reads a word where an id goes as a bad id; the fake cannot tell that from a route it does not model,
    // so it answers as Discord would and lists the request as unhandled either way.
    if (match.notAnId) {
      const { param, value } = match.notAnId;
      const failure = DiscordApiFailure.invalidForm([
        { path: param, code: 'NUMBER_TYPE_COERCE', message: `Value "${value}" is not snowflake.` },
      ]);
      answer(failure.status, null, undefined, failure.toBody());
      return;
    }
    const status = match.allowed.length > 0 ? 405 : 404;
    answer(status, null, undefined, { message: status === 405 ? '405: Method Not Allowed' : '404: Not Found', code: 0 });
    return;
  }
  const { route, params }: { route: RouteDefinition<RouteHandler>; params: Record<string, string> } = match;

  let parsed: { body: Record<string, unknown> | unknown[]; files: IncomingFile[] };
  try {
    parsed = await parseBody(req.headers['content-type'], raw);
  } catch (error) {
    const failure =
      error instanceof DiscordApiFailure ? error : new DiscordApiFailure(400, 50109, 'The request body contains invalid JSON.');
    answer(failure.status, route.template, undefined, failure.toBody());
    return;
  }

  if (route.auth === 'bot' && !options.verifyToken(botToken(req.headers.authorization))) {
    answer(401, route.template, parsed.body, UNAUTHORIZED().toBody());
    return;
  }

  const fault = options.faults.take(method, path);
  if (fault === 'hang') {
    record(0, route.template, parsed.body, true);
    return;
  }
  if (fault) {
    // Unref'd: a delayed answer must not keep a finished test process alive.
    if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs).unref());
    answer(fault.status, route.template, parsed.body, fault.body, { faulted: true, headers: fault.headers });
    return;
  }

  const invalid = options.validate(method, route.template, parsed.body, url.searchParams);
  if (invalid.length > 0) {
    const failure = DiscordApiFailure.invalidForm(invalid);
    answer(failure.status, route.template, parsed.body, failure.toBody());
    return;
  }

  try {
    const reply = await route.handler({ method, path, params, query: url.searchParams, body: parsed.body, files: parsed.files });
    answer(reply.status, route.template, parsed.body, reply.body, { headers: reply.headers });
  } catch (error) {
    if (!(error instanceof DiscordApiFailure)) throw error;
    answer(error.status, route.template, parsed.body, error.toBody(), { headers: error.headers });
  }
}

/** Interaction and webhook tokens are bearer secrets: the request log names where they were, not what they were. */
function withoutTokens(path: string, params: Readonly<Record<string, string>>): string {
  let redacted = path;
  for (const [name, value] of Object.entries(params)) if (name.endsWith('_token')) redacted = redacted.replace(value, ':token');
  return redacted;
}

function botToken(header: string | undefined): string | undefined {
  return header?.startsWith('Bot ') ? header.slice(4) : undefined;
}

async function parseBody(
  contentType: string | undefined,
  raw: Buffer,
): Promise<{ body: Record<string, unknown> | unknown[]; files: IncomingFile[] }> {
  if (raw.length === 0) return { body: {}, files: [] };
  if (contentType?.startsWith('multipart/form-data')) {
    // Node's built-in fetch Request parses multipart. Its deprecation note is about large uploads on production
    // servers; a test fake receives a few small files and is better off without a parser dependency.
    const request = new Request('http://fake/', { method: 'POST', headers: { 'content-type': contentType }, body: raw });
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    const form = await request.formData();
    const files: IncomingFile[] = [];
    let body: Record<string, unknown> = {};
    for (const [field, value] of form) {
      if (typeof value === 'string') {
        if (field === 'payload_json') body = JSON.parse(value) as Record<string, unknown>;
        continue;
      }
      files.push({
        field,
        filename: value.name,
        contentType: value.type || 'application/octet-stream',
        data: Buffer.from(await value.arrayBuffer()),
      });
    }
    return { body, files };
  }
  const parsed: unknown = JSON.parse(raw.toString('utf8'));
  if (typeof parsed !== 'object' || parsed === null) throw new DiscordApiFailure(400, 50109, 'The request body contains invalid JSON.');
  return { body: parsed as Record<string, unknown>, files: [] };
}

function serveFile(state: FakeState, pathname: string, res: ServerResponse): void {
  const id = pathname.split('/')[2] ?? '';
  const file = state.files.get(id);
  if (!file) {
    send(res, 404, { message: 'Unknown attachment', code: 0 });
    return;
  }
  res.writeHead(200, { 'content-type': file.contentType, 'content-length': file.data.length });
  res.end(file.data);
}

/** Sends the answer; returns the JSON text sent, if any. */
function send(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): string | undefined {
  if (status === 204 || body === undefined) {
    res.writeHead(status, headers);
    res.end();
    return undefined;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
  return text;
}
