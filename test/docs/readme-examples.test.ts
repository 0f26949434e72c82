/**
 * The README's TypeScript examples compile: each ```ts block is written to a module in a folder git ignores,
 * next to declarations of the names the fragments take as given (`bot`, `ctx`, `discord`...), with `lantern`,
 * `lantern/testing`, `lantern/ext/sentry`, `lantern/sharding` and `lantern/redis` mapped to src/, and type-checked by
 * tsc under the project's strict options.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** What the README's fragments use without defining: the bot, a handler's context, a test's fake, your services. */
const GIVEN = `import type * as Discord from 'discord.js';
import type * as Lantern from 'lantern';
import type * as Testing from 'lantern/testing';

declare global {
  const Client: typeof Lantern.Client;
  type Client = Lantern.Client;
  const command: typeof Lantern.command;
  const option: typeof Lantern.option;
  const Events: typeof Lantern.Events;
  const defineExtension: typeof Lantern.defineExtension;
  type Check = Lantern.Check;
  const GatewayIntentBits: typeof Discord.GatewayIntentBits;
  const Partials: typeof Discord.Partials;
  const PermissionFlagsBits: typeof Discord.PermissionFlagsBits;
  const ChannelType: typeof Discord.ChannelType;
  const UserFlags: typeof Discord.UserFlags;
  const ButtonBuilder: typeof Discord.ButtonBuilder;

  const bot: Lantern.Client;
  const ctx: Lantern.CommandContext;
  const row: Discord.ActionRowBuilder<Discord.ButtonBuilder>;
  const discord: Testing.FakeDiscord;
  const alice: Testing.FakeUser;
  const errorEvent: Lantern.ErrorEvent;
  const reportChannel: Discord.TextChannel;
  const handler: (event: Lantern.ErrorEvent) => void;
  const setup: (bot: Lantern.Client) => void;
  const notBanned: Lantern.Check;
  const betaGuilds: Set<string>;
  const purgeMessages: (ctx: Lantern.CommandContext) => Promise<void>;
  const pingDatabase: () => Promise<void>;
  const report: () => Promise<void>;
  const pino: () => Lantern.Logger;
  const db: { delete(id: string): Promise<void> };
  const docs: { titles(query: string): Promise<{ title: string; slug: string }[]> };
}
export {};
`;

interface Block {
  readonly line: number;
  readonly code: string;
}

function readmeBlocks(): Block[] {
  const lines = readFileSync(join(root, 'README.md'), 'utf8').split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '```ts') continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end] !== '```') end++;
    blocks.push({ line: start + 1, code: lines.slice(start, end).join('\n') });
    i = end;
  }
  return blocks;
}

const work = mkdtempSync(join((mkdirSync(join(root, '.tmp'), { recursive: true }), join(root, '.tmp')), 'readme-'));
after(() => {
  rmSync(work, { recursive: true, force: true });
});

test("the README's TypeScript examples compile under the project's strict options", { timeout: 120_000 }, () => {
  const blocks = readmeBlocks();
  assert.ok(blocks.length >= 15, `${String(blocks.length)} blocks found`);
  const files = new Map<string, Block>();
  for (const [i, block] of blocks.entries()) {
    const file = `readme-${String(i + 1).padStart(2, '0')}.ts`;
    // Each block is a module of its own, so its names do not meet another's and top-level await works.
    writeFileSync(join(work, file), `${block.code}\nexport {};\n`);
    files.set(file, block);
  }
  writeFileSync(join(work, 'given.d.ts'), GIVEN);
  const mapped = (path: string) => [join(root, path)];
  writeFileSync(
    join(work, 'tsconfig.json'),
    JSON.stringify({
      extends: join(root, 'tsconfig.json'),
      compilerOptions: {
        noEmit: true,
        paths: {
          lantern: mapped('src/index.ts'),
          'lantern/testing': mapped('src/testing/index.ts'),
          'lantern/ext/sentry': mapped('src/ext/sentry/index.ts'),
          'lantern/sharding': mapped('src/sharding/index.ts'),
          'lantern/redis': mapped('src/redis/index.ts'),
        },
      },
      include: ['*.ts'],
    }),
  );
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', work, '--pretty', 'false'], {
    cwd: root,
    encoding: 'utf8',
  });
  // Each error at its README line, so it can be fixed where it is.
  const errors = tsc.stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const at = /readme-(\d+)\.ts\((\d+),(\d+)\): (.*)$/.exec(line);
      const block = at && files.get(`readme-${at[1] ?? ''}.ts`);
      return block ? `README.md:${String(block.line + Number(at[2]) - 1)}:${at[3] ?? ''} ${at[4] ?? ''}` : line;
    });
  assert.equal(tsc.status, 0, `the README's examples do not compile:\n${errors.join('\n')}${tsc.stderr}`);
});
