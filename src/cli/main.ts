#!/usr/bin/env node
/**
 * The `lantern` command (`npx lantern issues`): reads and manages the errors lantern/ext/local keeps. Exit codes: 0
 * done, 1 not found or failed (a missing, locked, damaged or newer store; a reference that matches nothing), 2 usage.
 */
import { runCli } from './program.js';

// Piped into `head`, the reader leaving early is no error: stop writing and exit quietly.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });

process.exitCode = await runCli(process.argv.slice(2));
