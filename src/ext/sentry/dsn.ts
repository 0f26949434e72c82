import { SentryDsnError } from './errors.js';

/**
 * The SDK's own DSN pattern (`DSN_REGEX` of @sentry/core's `utils/dsn`), which its client parses every DSN with.
 * Mirrored rather than called: on a DSN it cannot parse, the SDK prints the whole DSN, key included, to stderr.
 */
const SDK_DSN = /^(?:(\w+):)\/\/(?:(\w+)(?::(\w+)?)?@)((?:\[[:.%\w]+\]|[\w.-]+))(?::(\d+))?\/(.+)/;

/** A DSN the SDK accepts, and its keys (registered as secrets). */
export interface CheckedDsn {
  readonly dsn: string;
  readonly publicKey: string;
  /** The legacy secret key after the `:`; empty in today's DSNs. */
  readonly secretKey: string;
}

/**
 * Trims the DSN (one pasted into an environment variable often ends in a newline) and accepts it exactly when the SDK
 * will, so a DSN the SDK would refuse (and then send nothing) fails here with a SentryDsnError, which never quotes it.
 */
export function checkDsn(raw: string): CheckedDsn {
  const dsn = raw.trim();
  const [, protocol, publicKey = '', secretKey = '', , , path = ''] = SDK_DSN.exec(dsn) ?? [];
  // As the SDK reads it: the last path segment, up to its first non-digit, is the project id.
  const projectId = /^\d+/.exec(path.split('/').at(-1) ?? '');
  if ((protocol === 'https' || protocol === 'http') && projectId) return { dsn, publicKey, secretKey };
  throw new SentryDsnError(problemOf(dsn));
}

/** What is wrong with a DSN the SDK refuses, in words that do not quote it. */
function problemOf(dsn: string): string {
  const scheme = /^(\w+):\/\//.exec(dsn);
  if (!scheme) return 'is not a URL';
  if (scheme[1] !== 'https' && scheme[1] !== 'http') return 'must start with https:// (or http://)';
  const rest = dsn.slice(scheme[0].length);
  const authority = rest.split('/')[0] ?? '';
  if (!authority.includes('@')) return 'has no public key before the @';
  if (!/^\w+(?::\w*)?@/.test(authority)) return 'has a key that is not only letters, digits and _';
  if (SDK_DSN.test(dsn) || !/\/./.test(rest)) return 'does not end with a numeric project id';
  return 'has a host the Sentry SDK cannot read';
}
