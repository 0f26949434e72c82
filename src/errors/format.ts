import { pathToFileURL } from 'node:url';
import { sep } from 'node:path';
import { errorTree, MAX_CAUSE_DEPTH } from './causes.js';
import type { Redactor } from './redact.js';
import { mapStack } from './source-maps.js';

/** The type to show for an error: its `name`, or its class, or the kind of value thrown. */
export function errorType(error: unknown): string {
  if (error instanceof Error) return error.name || error.constructor.name;
  return typeof error;
}

/**
 * The full text of an error for a developer: its stack (at TypeScript lines where a source map says so), then
 * every `cause` and every error of an `AggregateError`, indented under it, redacted.
 */
export function formatError(error: unknown, redactor: Redactor): string {
  return redactor.redact(relativePaths(errorText(error)));
}

/**
 * What `formatError` shows, before paths are shortened and secrets removed: what tells one error from another
 * (a log writes it through its own redaction, so it is not redacted twice).
 */
export function errorText(error: unknown): string {
  const lines: string[] = [];
  // A cause lines up with its error; an AggregateError's members are indented under it.
  for (const { value, label, memberDepth, circular } of errorTree(error, MAX_CAUSE_DEPTH - 1)) {
    const indent = '  '.repeat(memberDepth);
    if (circular) {
      lines.push(`${indent}${label}[circular]`);
      continue;
    }
    for (const [i, line] of headOf(value).split('\n').entries()) lines.push(`${indent}${i === 0 ? label : ''}${line}`);
  }
  return lines.join('\n');
}

/** One line: `Type: message`, redacted. */
export function summarizeError(error: unknown, redactor: Redactor): string {
  const message = error instanceof Error ? error.message : describeValue(error);
  return redactor.redact(`${errorType(error)}: ${message.split('\n')[0] ?? ''}`);
}

function headOf(value: unknown): string {
  if (!(value instanceof Error)) return describeValue(value);
  const stack = typeof value.stack === 'string' ? mapStack(value.stack) : '';
  const title = `${errorType(value)}: ${value.message}`;
  // V8 starts a stack with `Name: message`; a stack rewritten by a library may not, so the title is kept.
  if (!stack) return title;
  return stack.includes(value.message) ? stack : `${title}\n${stack}`;
}

/** A thrown non-Error value as text: strings as they are, the rest as JSON where it can be. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    // JSON.stringify returns undefined for undefined, functions and symbols.
    const json = JSON.stringify(value) as string | undefined;
    return typeof json === 'string' ? json : String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** Stack frames under the working directory are shown relative to it: shorter, and the server's layout stays private. */
export function relativePaths(text: string): string {
  const cwd = process.cwd();
  return text.replaceAll(`${pathToFileURL(cwd).href}/`, '').replaceAll(`${cwd}${sep}`, '');
}
