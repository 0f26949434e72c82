export type Auth = 'bot' | 'none';

export interface RouteDefinition<H> {
  readonly method: string;
  /** Discord's documented path, e.g. `/channels/:channel_id/messages`; also what request logs and faults name. */
  readonly template: string;
  readonly auth: Auth;
  readonly handler: H;
}

export interface RouteMatch<H> {
  readonly route: RouteDefinition<H>;
  readonly params: Record<string, string>;
}

/** No route took the path; `allowed` lists the methods its routes take, `notAnId` a segment that only an id fits. */
export interface RouteMiss {
  readonly allowed: readonly string[];
  readonly notAnId?: { readonly param: string; readonly value: string };
}

/**
 * A parameter named as an id (`:channel_id`) takes only a snowflake, as on Discord: `/channels/1/messages/pins` is a
 * route of its own, never the message "pins".
 */
const SNOWFLAKE_SEGMENT = /^\d{1,20}$/;

interface CompiledRoute<H> {
  readonly route: RouteDefinition<H>;
  readonly segments: readonly string[];
}

/** Matches a method and a path against templates in the order given, so `/users/@me` must come before `/users/:user_id`. */
export class Router<H> {
  private readonly routes: CompiledRoute<H>[];

  constructor(routes: readonly RouteDefinition<H>[]) {
    this.routes = routes.map((route) => ({ route, segments: route.template.split('/').slice(1) }));
  }

  match(method: string, path: string): RouteMatch<H> | RouteMiss {
    const segments = pathSegments(path);
    const allowed: string[] = [];
    let notAnId: RouteMiss['notAnId'];
    for (const { route, segments: template } of this.routes) {
      const params = matchSegments(template, segments);
      if (!params) continue;
      const wrong = Object.entries(params).find(([name, value]) => name.endsWith('_id') && !SNOWFLAKE_SEGMENT.test(value));
      if (wrong) {
        notAnId ??= { param: wrong[0], value: wrong[1] };
        continue;
      }
      if (route.method === method) return { route, params };
      allowed.push(route.method);
    }
    return { allowed, ...(notAnId && allowed.length === 0 ? { notAnId } : {}) };
  }
}

/** Compares path segments with a template where `:name` stands for any one segment; null when they differ. */
export function matchSegments(template: readonly string[], segments: readonly string[]): Record<string, string> | null {
  if (template.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const want = template[i] as string;
    const got = segments[i] as string;
    if (want.startsWith(':')) params[want.slice(1)] = got;
    else if (want !== got) return null;
  }
  return params;
}

/** The decoded segments of a path; discord.js sends `@original` as `%40original`. */
export function pathSegments(path: string): string[] {
  return path
    .split('/')
    .slice(1)
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    });
}
