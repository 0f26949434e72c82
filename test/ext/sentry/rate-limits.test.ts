/**
 * Sentry's rate limits as the outbox reads them: what a response asks for is read as the SDK reads it (checked against
 * @sentry/core's own reader), and a window in force is kept until its end whatever comes after it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { disabledUntil, updateRateLimits } from '@sentry/core';
import { DEFAULT_RATE_LIMIT_MS, RateLimits, rateLimitsOf } from '../../../src/ext/sentry/rate-limits.js';
import type { RateLimitHeaders } from '../../../src/ext/sentry/rate-limits.js';

const NOW = Date.parse('2026-12-04T12:00:00Z');
const CATEGORIES = ['error', 'transaction', 'session', 'attachment', 'default', 'internal', 'replay'];

/** Until when each category waits after one response, by our reading. */
function ours(statusCode: number | undefined, headers: RateLimitHeaders): Record<string, number> {
  const limits = new RateLimits();
  limits.add(rateLimitsOf(statusCode, headers, NOW));
  return Object.fromEntries(CATEGORIES.map((category) => [category, limits.until([category])]));
}

/** The same by the SDK's reading (0 where nothing waits). */
function sdk(statusCode: number | undefined, headers: RateLimitHeaders): Record<string, number> {
  const sdkHeaders = { 'x-sentry-rate-limits': headers['x-sentry-rate-limits'] ?? null, 'retry-after': headers['retry-after'] ?? null };
  const limits = updateRateLimits({}, { statusCode, headers: sdkHeaders }, NOW);
  return Object.fromEntries(CATEGORIES.map((category) => [category, disabledUntil(limits, category as never)]));
}

test('a response is read as the SDK reads it: X-Sentry-Rate-Limits first, else Retry-After, else 60 s for a bare 429', () => {
  const cases: [number | undefined, RateLimitHeaders][] = [
    [429, { 'x-sentry-rate-limits': '60:error;transaction:key' }],
    [429, { 'x-sentry-rate-limits': '60:error:key, 2:session:organization:quota' }],
    [429, { 'x-sentry-rate-limits': '30::organization' }],
    [429, { 'x-sentry-rate-limits': '30' }],
    [429, { 'x-sentry-rate-limits': 'soon:error' }],
    [429, { 'x-sentry-rate-limits': '12.9:error' }],
    [429, { 'x-sentry-rate-limits': '  45:replay:project  ' }],
    [429, { 'x-sentry-rate-limits': '10:error', 'retry-after': '300' }],
    [200, { 'x-sentry-rate-limits': '5:attachment:key' }],
    [429, { 'retry-after': '7' }],
    [503, { 'retry-after': '7' }],
    [429, { 'retry-after': '7.5' }],
    [429, { 'retry-after': 'Fri, 04 Dec 2026 12:01:30 GMT' }],
    [429, { 'retry-after': 'whenever' }],
    [429, {}],
    [429, { 'x-sentry-rate-limits': null, 'retry-after': null }],
    [429, { 'x-sentry-rate-limits': '', 'retry-after': '' }],
    [503, {}],
    [200, {}],
    [undefined, {}],
  ];
  for (const [status, headers] of cases)
    assert.deepEqual(ours(status, headers), sdk(status, headers), `${String(status)} ${JSON.stringify(headers)}`);
});

test('each window names its categories, or none for all of them, and ends after its seconds', () => {
  assert.deepEqual(rateLimitsOf(429, { 'x-sentry-rate-limits': '60:error;transaction:key, 2::organization' }, NOW), [
    { categories: ['error', 'transaction'], until: NOW + 60_000 },
    { categories: undefined, until: NOW + 2000 },
  ]);
  assert.deepEqual(rateLimitsOf(429, { 'x-sentry-rate-limits': 'x:error' }, NOW), [
    { categories: ['error'], until: NOW + DEFAULT_RATE_LIMIT_MS },
  ]);
  assert.deepEqual(rateLimitsOf(429, {}, NOW), [{ categories: undefined, until: NOW + 60_000 }]);
  assert.deepEqual(rateLimitsOf(503, { 'retry-after': '3' }, NOW), [{ categories: undefined, until: NOW + 3000 }]);
  assert.deepEqual(rateLimitsOf(503, {}, NOW), []);
  assert.deepEqual(rateLimitsOf(429, undefined, NOW), [{ categories: undefined, until: NOW + 60_000 }]);
  assert.deepEqual(rateLimitsOf(undefined, undefined, NOW), []);
});

test('an empty entry or category is no window (the SDK would stop everything for a minute); spaces are no category', () => {
  assert.deepEqual(rateLimitsOf(429, { 'x-sentry-rate-limits': '10:error;;transaction;:key,, ,' }, NOW), [
    { categories: ['error', 'transaction'], until: NOW + 10_000 },
  ]);
  assert.deepEqual(rateLimitsOf(429, { 'x-sentry-rate-limits': ' , ' }, NOW), []);
  // Spaces around an entry are not part of its categories.
  assert.deepEqual(rateLimitsOf(429, { 'x-sentry-rate-limits': ' 10:error , 20:session ' }, NOW), [
    { categories: ['error'], until: NOW + 10_000 },
    { categories: ['session'], until: NOW + 20_000 },
  ]);
});

test('a Retry-After date is a wait until then, and one already past is no wait', () => {
  assert.deepEqual(rateLimitsOf(429, { 'retry-after': new Date(NOW + 90_000).toUTCString() }, NOW), [
    { categories: undefined, until: NOW + 90_000 },
  ]);
  assert.deepEqual(rateLimitsOf(429, { 'retry-after': new Date(NOW - 90_000).toUTCString() }, NOW), [
    { categories: undefined, until: NOW },
  ]);
  assert.deepEqual(rateLimitsOf(429, { 'retry-after': 'later' }, NOW), [{ categories: undefined, until: NOW + 60_000 }]);
});

test('an envelope waits for the longest window over any of its categories or all of them; a shorter later one shortens none', () => {
  const limits = new RateLimits();
  assert.equal(limits.until(['error']), 0);
  assert.equal(limits.all, 0);
  limits.add([
    { categories: ['error', 'transaction'], until: NOW + 60_000 },
    { categories: ['attachment'], until: NOW + 5000 },
  ]);
  assert.equal(limits.until(['error']), NOW + 60_000);
  assert.equal(limits.until(['attachment']), NOW + 5000);
  assert.equal(limits.until(['attachment', 'transaction']), NOW + 60_000);
  assert.equal(limits.until(['session']), 0);
  assert.equal(limits.until([]), 0);
  assert.equal(limits.all, 0);

  limits.add([{ categories: undefined, until: NOW + 10_000 }]);
  assert.equal(limits.all, NOW + 10_000);
  assert.equal(limits.until(['session']), NOW + 10_000);
  assert.equal(limits.until(['attachment']), NOW + 10_000);
  assert.equal(limits.until(['error']), NOW + 60_000);

  limits.add([
    { categories: ['error'], until: NOW + 1000 },
    { categories: undefined, until: NOW + 2000 },
  ]);
  assert.equal(limits.until(['error']), NOW + 60_000);
  assert.equal(limits.all, NOW + 10_000);
  limits.add([{ categories: ['attachment'], until: NOW + 90_000 }]);
  assert.equal(limits.until(['attachment']), NOW + 90_000);
  assert.equal(limits.until(['session']), NOW + 10_000);
});
