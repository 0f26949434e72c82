/**
 * `npm run mutation` (`-- redaction custom-ids` for some modules only, `-- --list` to see them): a mutation check of
 * the modules where a silent bug hurts users most. Stryker plants one bug at a time (a mutant) and runs only the test
 * files of the mutated module; a mutant the tests miss survives. Each module is a separate Stryker run (the whole
 * suite per mutant would take hours); the scores and every survivor go into one report, printed and written to
 * reports/mutation.md. Stryker's own HTML and JSON reports per module are in reports/mutation/.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { Stryker } from '@stryker-mutator/core';

type MutantResult = Awaited<ReturnType<Stryker['runMutationTest']>>[number];

interface MutationModule {
  /** How the module is named on the command line and in the report. */
  readonly name: string;
  /** Files (or `file:startLine-endLine` ranges) Stryker mutates. */
  readonly mutate: readonly string[];
  /** The test files that guard it: the only ones run per mutant. */
  readonly tests: readonly string[];
}

const SENTRY_TESTS = ['test/ext/sentry/sentry.test.ts', 'test/ext/sentry/options.test.ts', 'test/ext/sentry/regressions.test.ts'];

/**
 * Smallest and most important first: a run of every module takes hours on two cores. Each module's tests are listed
 * fastest first: they run one file after another and stop at the first failure, so most mutants are killed by a
 * unit test in a second and only the survivors of those pay for the end-to-end files.
 */
const MODULES: readonly MutationModule[] = [
  {
    name: 'redaction',
    mutate: ['src/errors/redact.ts'],
    tests: [
      'test/errors/redact.mutation.test.ts',
      'test/errors/redact.test.ts',
      'test/log/error-log.test.ts',
      'test/client/errors.test.ts',
    ],
  },
  {
    name: 'custom-ids',
    mutate: ['src/components/custom-id.ts'],
    tests: ['test/components/custom-id.test.ts', 'test/client/router.test.ts'],
  },
  {
    name: 'storm',
    mutate: ['src/errors/storm.ts'],
    tests: ['test/errors/storm.test.ts', 'test/log/error-log.test.ts', 'test/ext/sentry/sentry.test.ts'],
  },
  {
    name: 'error-answer',
    mutate: ['src/client/error-answer.ts'],
    tests: ['test/client/error-answer.test.ts', 'test/client/errors.test.ts'],
  },
  {
    name: 'error-log',
    mutate: ['src/log/error-log.ts', 'src/log/log.ts'],
    tests: ['test/log/error-log.mutation.test.ts', 'test/log/error-log.test.ts', 'test/log/repeats.test.ts', 'test/client/errors.test.ts'],
  },
  {
    name: 'formatting',
    mutate: ['src/errors/format.ts', 'src/errors/causes.ts'],
    tests: [
      'test/errors/format.mutation.test.ts',
      'test/log/error-log.test.ts',
      'test/client/error-answer.test.ts',
      'test/client/errors.test.ts',
    ],
  },
  {
    name: 'router-errors',
    // The error chain, the answer deadline and the user's answer: `#run` to `#runErrorChain`, found by text since the
    // file changes.
    mutate: [lines('src/client/router.ts', '  async #run(', '  /** Suggestions are answered')],
    tests: [
      'test/client/error-answer.test.ts',
      'test/client/regressions.test.ts',
      'test/checks/concurrency.test.ts',
      'test/client/router.test.ts',
      'test/client/router.mutation.test.ts',
      'test/client/errors.test.ts',
    ],
  },
  {
    name: 'guards',
    mutate: ['src/checks/*.ts', '!src/checks/index.ts'],
    // The stored cooldowns and slots run against a real Redis server (test/redis/ starts one).
    tests: [
      'test/checks/cooldown.mutation.test.ts',
      'test/checks/check.mutation.test.ts',
      'test/checks/concurrency.mutation.test.ts',
      'test/checks/messages.mutation.test.ts',
      'test/checks/bucket.mutation.test.ts',
      'test/checks/messages.test.ts',
      'test/checks/cooldown.test.ts',
      'test/checks/concurrency.test.ts',
      'test/checks/checks.test.ts',
      'test/checks/guards.test.ts',
      'test/checks/store.mutation.test.ts',
      'test/checks/guard.mutation.test.ts',
      'test/redis/guards.test.ts',
    ],
  },
  { name: 'tasks', mutate: ['src/tasks/*.ts'], tests: ['test/tasks/scheduler.test.ts', 'test/tasks/tasks.test.ts'] },
  {
    name: 'extensions',
    mutate: ['src/extensions/*.ts'],
    tests: ['test/extensions/sink.test.ts', 'test/extensions/manager.test.ts', 'test/extensions/extensions.test.ts'],
  },
  {
    name: 'sentry-capture',
    mutate: ['src/ext/sentry/scopes.ts', 'src/ext/sentry/capture.ts', 'src/ext/sentry/breadcrumbs.ts', 'src/errors/grouping.ts'],
    tests: [
      'test/errors/grouping.test.ts',
      'test/ext/sentry/breadcrumbs.mutation.test.ts',
      'test/ext/sentry/capture.mutation.test.ts',
      'test/ext/sentry/scopes.mutation.test.ts',
      ...SENTRY_TESTS,
      // Feedback is offered only on a reference Sentry's capture owns.
      'test/ext/sentry/feedback.test.ts',
    ],
  },
  {
    name: 'sentry-delivery',
    mutate: ['src/ext/sentry/client.ts', 'src/ext/sentry/transport.ts', 'src/ext/sentry/close.ts', 'src/ext/sentry/redact-envelope.ts'],
    tests: [
      'test/ext/sentry/redact-envelope.test.ts',
      'test/ext/sentry/transport.mutation.test.ts',
      'test/ext/sentry/client.mutation.test.ts',
      'test/ext/sentry/close.test.ts',
      ...SENTRY_TESTS,
      'test/ext/sentry/client.test.ts',
      'test/errors/leaks.test.ts',
      'test/ext/sentry/transport.test.ts',
      'test/ext/sentry/outages.test.ts',
    ],
  },
  {
    // What the outbox reads back from Sentry and from its own file: rate-limit windows, stored envelope bytes, the DSN,
    // and the last fitting of an event to what Relay takes.
    name: 'sentry-wire',
    mutate: ['src/ext/sentry/rate-limits.ts', 'src/ext/sentry/envelope-bytes.ts', 'src/ext/sentry/dsn.ts', 'src/ext/sentry/relay.ts'],
    tests: [
      'test/ext/sentry/rate-limits.test.ts',
      'test/ext/sentry/envelope-bytes.test.ts',
      'test/ext/sentry/relay.mutation.test.ts',
      'test/ext/sentry/dsn.test.ts',
      'test/ext/sentry/relay.test.ts',
      'test/ext/sentry/outbox.test.ts',
      'test/ext/sentry/outages.test.ts',
    ],
  },
  {
    name: 'fake-responder',
    mutate: ['src/testing/interactions/responder.ts'],
    tests: [
      'test/testing/responder.mutation.test.ts',
      'test/testing/responder.test.ts',
      'test/testing/interactions.test.ts',
      'test/testing/discord-rules.test.ts',
      'test/testing/fidelity.test.ts',
    ],
  },
];

/** Stryker's `file:first-last` range from the line starting with `from` to the line before the one starting with `to`. */
function lines(file: string, from: string, to: string): string {
  const text = readFileSync(file, 'utf8').split('\n');
  const first = text.findIndex((line) => line.startsWith(from));
  const end = text.findIndex((line, index) => index > first && line.startsWith(to));
  if (first === -1 || end === -1) throw new Error(`${file} no longer has the lines "${from}" and "${to}"; update the module table`);
  return `${file}:${String(first + 1)}-${String(end)}`;
}

/** Stryker's statuses that count in the score: a mutant that does not compile or crashes at load tells nothing. */
const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

interface ModuleReport {
  readonly module: MutationModule;
  readonly results: readonly MutantResult[];
  readonly minutes: number;
}

const USAGE = 'Usage: npm run mutation -- [--list] [--concurrency N] [module ...]';

// An unknown option or a missing value is a usage error, not a stack trace.
const { values, positionals } = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: { list: { type: 'boolean', default: false }, concurrency: { type: 'string' }, help: { type: 'boolean', default: false } },
    });
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exit(2);
  }
})();

if (values.help) {
  console.log(`${USAGE}\nWith no module, every module is checked; --list shows them with their test files.`);
  process.exit(0);
}

if (values.concurrency !== undefined && !/^[1-9]\d*$/.test(values.concurrency)) {
  console.error(`--concurrency takes a whole number of test processes of at least 1, not "${values.concurrency}"\n${USAGE}`);
  process.exit(2);
}

if (values.list) {
  for (const module of MODULES) console.log(`${module.name.padEnd(16)} ${module.mutate.join(' ')}  <-  ${module.tests.join(' ')}`);
  process.exit(0);
}

const unknown = positionals.filter((name) => !MODULES.some((module) => module.name === name));
if (unknown.length > 0) {
  console.error(`Unknown module ${unknown.join(', ')}; the modules are: ${MODULES.map((module) => module.name).join(', ')}\n${USAGE}`);
  process.exit(2);
}
const chosen = positionals.length === 0 ? MODULES : MODULES.filter((module) => positionals.includes(module.name));
for (const module of chosen) {
  const missing = module.tests.filter((file) => !existsSync(file));
  if (missing.length > 0) throw new Error(`Module ${module.name} names test files that do not exist: ${missing.join(', ')}`);
}

mkdirSync('reports/mutation', { recursive: true });
const reports: ModuleReport[] = [];
for (const module of chosen) {
  console.log(`\n== ${module.name}: mutating ${module.mutate.join(' ')}; running ${module.tests.join(' ')}`);
  const started = performance.now();
  const stryker = new Stryker({
    configFile: 'stryker.config.json',
    mutate: [...module.mutate],
    // One file at a time, stopping at the first that fails: a killed mutant costs only the files up to it.
    commandRunner: { command: module.tests.map((file) => `node --import tsx --test ${file}`).join(' && ') },
    htmlReporter: { fileName: `reports/mutation/${module.name}.html` },
    jsonReporter: { fileName: `reports/mutation/${module.name}.json` },
    ...(values.concurrency === undefined ? {} : { concurrency: Number(values.concurrency) }),
  });
  const results = await stryker.runMutationTest();
  reports.push({ module, results, minutes: (performance.now() - started) / 60_000 });
  // Written after each module: a long run cut short still leaves the modules it finished.
  writeFileSync('reports/mutation.md', markdown(reports));
}
const report = markdown(reports);
console.log(`\n${report}`);
console.log('Written to reports/mutation.md');

function score(results: readonly MutantResult[]): number {
  const detected = results.filter((r) => DETECTED.has(r.status)).length;
  const valid = detected + results.filter((r) => UNDETECTED.has(r.status)).length;
  return valid === 0 ? NaN : (100 * detected) / valid;
}

function count(results: readonly MutantResult[], status: string): number {
  return results.filter((r) => r.status === status).length;
}

function markdown(done: readonly ModuleReport[]): string {
  const lines = [
    `# Mutation check (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC)`,
    '',
    '| Module | Mutants | Killed | Timeout | Survived | Errors | Score | Minutes |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const { module, results, minutes } of done) {
    const errors = count(results, 'CompileError') + count(results, 'RuntimeError');
    const survived = count(results, 'Survived') + count(results, 'NoCoverage');
    const cells = [module.name, results.length, count(results, 'Killed'), count(results, 'Timeout'), survived, errors];
    lines.push(`| ${cells.join(' | ')} | ${score(results).toFixed(1)}% | ${minutes.toFixed(1)} |`);
  }
  for (const { module, results } of done) {
    const survivors = results.filter((r) => UNDETECTED.has(r.status));
    if (survivors.length === 0) continue;
    lines.push('', `## Survivors: ${module.name}`, '');
    for (const mutant of survivors) {
      const { line, column } = mutant.location.start;
      const replacement = mutant.replacement.replace(/\s+/g, ' ').slice(0, 100);
      lines.push(
        `- ${relative(process.cwd(), mutant.fileName)}:${String(line)}:${String(column + 1)} ${mutant.mutatorName}: \`${replacement}\``,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
