import { randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { Context } from 'hono';

/** Hosts a page without a token may be bound to and reached by: the machine itself. */
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);
/**
 * A token goes into a URL, a cookie and a DSN's key (which Sentry's SDKs take as word characters only), and is long
 * enough that guessing is hopeless.
 */
export const TOKEN_PATTERN = /^\w{16,128}$/;

export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase();
  if (LOOPBACK_NAMES.has(name) || name.endsWith('.localhost')) return true;
  return isIP(name) === 4 && name.startsWith('127.');
}

export function newToken(): string {
  return randomBytes(20).toString('hex');
}

/** Compares secrets in constant time, so a wrong guess says nothing about how close it was. */
export function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The name in the request's `Host` header, without its port (`[::1]:8970` gives `[::1]`). */
export function requestHostName(c: Context): string | undefined {
  const host = c.req.header('host');
  if (host === undefined) return undefined;
  const bracketed = /^(\[[^\]]*\])(?::\d+)?$/.exec(host);
  if (bracketed) return bracketed[1];
  return host.replace(/:\d+$/, '');
}

/**
 * A page without a token answers only requests addressed to the machine itself: a web page elsewhere that makes
 * its own name resolve to 127.0.0.1 (DNS rebinding) sends its own name as the Host, and is refused.
 */
export function addressedToLoopback(c: Context): boolean {
  const name = requestHostName(c);
  return name !== undefined && isLoopbackHost(name);
}

/**
 * Whether a request that changes something comes from the page itself: a browser names the page it comes from
 * in `Origin` (and `Sec-Fetch-Site`), and a form of another site, even one on another port of this machine, names
 * its own. Programs that send neither header must still hold the page's CSRF token, which only the page shows.
 */
export function fromThisPage(c: Context): boolean {
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  const origin = c.req.header('origin');
  if (origin === undefined) return true;
  const host = c.req.header('host')?.toLowerCase();
  // https too: behind a proxy that ends TLS, the browser's origin is the proxy's.
  return host !== undefined && (origin.toLowerCase() === `http://${host}` || origin.toLowerCase() === `https://${host}`);
}

/** The key a Sentry SDK sends: `sentry_key` in the query, or in the `X-Sentry-Auth` header. */
export function sentryKey(c: Context): string | undefined {
  const query = c.req.query('sentry_key');
  if (query !== undefined) return query;
  const header = c.req.header('x-sentry-auth') ?? c.req.header('authorization');
  return header === undefined ? undefined : /\bsentry_key=([^,\s]+)/.exec(header)?.[1];
}

/** A bearer token in the `Authorization` header: how a script reads a page that needs a token. */
export function bearerToken(c: Context): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
}
