import { matchSegments, pathSegments } from './router.js';

/** What a matching request gets instead of the real answer. */
export interface FaultResponse {
  readonly status: number;
  /** The JSON body, as Discord would send it: `{ code: 50013, message: 'Missing Permissions' }`. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Wait this long before answering (a slow Discord). */
  readonly delayMs?: number;
}

export interface FaultRule {
  /** HTTP method; any when omitted. */
  readonly method?: string;
  /**
   * Which requests: a template (`/channels/:id/messages`, `:anything` stands for one segment), a concrete
   * path (`/channels/123/messages`), or a RegExp tested against the path. Paths are those after `/api/v10`.
   * Any route when omitted.
   */
  readonly route?: string | RegExp;
  /** How many matching requests fail; 1 by default. `Infinity` until `clear()`. */
  readonly times?: number;
  /** Answer nothing at all, ever: the client's own timeout is what ends the request. */
  readonly hang?: boolean;
}

export type Fault = FaultRule & Partial<FaultResponse>;

interface ArmedFault {
  readonly rule: FaultRule;
  readonly response: FaultResponse | 'hang';
  remaining: number;
}

/** Ready-made answers for the failures bots meet most, with the bodies and headers real Discord sends. */
export const DiscordFaults = {
  missingPermissions: (): FaultResponse => ({ status: 403, body: { message: 'Missing Permissions', code: 50013 } }),
  missingAccess: (): FaultResponse => ({ status: 403, body: { message: 'Missing Access', code: 50001 } }),
  unknownInteraction: (): FaultResponse => ({ status: 404, body: { message: 'Unknown interaction', code: 10062 } }),
  unknownMessage: (): FaultResponse => ({ status: 404, body: { message: 'Unknown Message', code: 10008 } }),
  serverError: (status = 500): FaultResponse => ({ status, body: { message: `${status}: Internal Server Error`, code: 0 } }),
  /** A 429 with Discord's headers; `retryAfter` in seconds (fractions allowed, as discord.js reads them). */
  rateLimited: (
    retryAfter: number,
    { global = false, scope = 'user' }: { global?: boolean; scope?: 'user' | 'global' | 'shared' } = {},
  ): FaultResponse => ({
    status: 429,
    body: { message: 'You are being rate limited.', retry_after: retryAfter, global },
    headers: {
      'retry-after': String(retryAfter),
      'x-ratelimit-limit': '5',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset-after': String(retryAfter),
      'x-ratelimit-bucket': 'fake-bucket',
      'x-ratelimit-scope': global ? 'global' : scope,
      ...(global ? { 'x-ratelimit-global': 'true' } : {}),
    },
  }),
} as const;

/** Faults armed by a test; each request consumes the first rule it matches. */
export class FaultInjector {
  private armed: ArmedFault[] = [];

  /** Makes the next `times` requests matching `fault` fail with its status, body and headers. */
  inject(fault: Fault): void {
    const times = fault.times ?? 1;
    if (!(times > 0)) throw new RangeError(`times must be positive, got ${times}`);
    if (!fault.hang && fault.status === undefined) throw new TypeError('A fault needs a status (or hang: true)');
    const response = fault.hang
      ? 'hang'
      : { status: fault.status ?? 500, body: fault.body, headers: fault.headers, delayMs: fault.delayMs };
    this.armed.push({ rule: fault, response, remaining: times });
  }

  /** Removes every armed fault. */
  clear(): void {
    this.armed = [];
  }

  /** How many armed faults still have requests to fail. */
  get pending(): number {
    return this.armed.length;
  }

  take(method: string, path: string): FaultResponse | 'hang' | undefined {
    const found = this.armed.find((f) => matches(f.rule, method, path));
    if (!found) return undefined;
    found.remaining--;
    if (found.remaining <= 0) this.armed = this.armed.filter((f) => f !== found);
    return found.response;
  }
}

function matches(rule: FaultRule, method: string, path: string): boolean {
  if (rule.method !== undefined && rule.method.toUpperCase() !== method) return false;
  if (rule.route === undefined) return true;
  if (rule.route instanceof RegExp) return rule.route.test(path);
  return (
    matchSegments(
      rule.route
        .replace(/^\/api\/v10/, '')
        .split('/')
        .slice(1),
      pathSegments(path),
    ) !== null
  );
}
