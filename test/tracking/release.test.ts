import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultEnvironment, defaultRelease } from '../../src/tracking/release.js';

test('the release is SENTRY_RELEASE, else a CI commit, else the npm package name and version, else unknown', () => {
  assert.equal(defaultRelease({ SENTRY_RELEASE: 'bot@2.0.0', GITHUB_SHA: 'abc123' }), 'bot@2.0.0');
  assert.equal(defaultRelease({ GITHUB_SHA: 'abc123', npm_package_name: 'bot', npm_package_version: '1.0.0' }), 'abc123');
  assert.equal(defaultRelease({ SENTRY_RELEASE: '  ', npm_package_name: 'bot', npm_package_version: '1.0.0' }), 'bot@1.0.0');
  assert.equal(defaultRelease({}), undefined);
});

test('the environment is SENTRY_ENVIRONMENT, else production', () => {
  assert.equal(defaultEnvironment({ SENTRY_ENVIRONMENT: 'staging' }), 'staging');
  assert.equal(defaultEnvironment({}), 'production');
});
