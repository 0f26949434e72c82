/** Where a deployment names its release, most explicit first: Sentry's variable, then CI and hosting commit variables. */
const RELEASE_VARIABLES = [
  'SENTRY_RELEASE',
  'GITHUB_SHA',
  'CI_COMMIT_SHA',
  'BITBUCKET_COMMIT',
  'CIRCLE_SHA1',
  'HEROKU_SLUG_COMMIT',
  'RENDER_GIT_COMMIT',
  'RAILWAY_GIT_COMMIT_SHA',
  'SOURCE_VERSION',
];

/**
 * The release a tracker records when none is given: `SENTRY_RELEASE`, a CI or host's commit variable, else the
 * package's `name@version` when run through npm (`npm start` sets them). `undefined` when nothing says.
 */
export function defaultRelease(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const name of RELEASE_VARIABLES) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  const { npm_package_name: name, npm_package_version: version } = env;
  return name && version ? `${name}@${version}` : undefined;
}

/** `SENTRY_ENVIRONMENT`, else `production`, as Sentry's SDKs default. */
export function defaultEnvironment(env: NodeJS.ProcessEnv = process.env): string {
  return env.SENTRY_ENVIRONMENT?.trim() || 'production';
}
