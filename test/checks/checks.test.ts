/**
 * Checks, cooldowns and max concurrency. Contexts are built from real discord.js interactions that the fake Discord
 * sends to a started Lantern bot (so guild, DM, owners and Discord's permission computation are the real ones); the
 * time comes from a clock the tests move by hand.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PermissionFlagsBits } from 'discord.js';
import type { Interaction } from 'discord.js';
import {
  CheckFailure,
  checks,
  CommandOnCooldown,
  expectedErrorMessage,
  GuardDefinitionError,
  InteractionContext,
  isExpectedError,
  MaxConcurrencyReached,
  readableDuration,
  readablePermission,
} from '../../src/index.js';
import type { BucketType, Check, Clock, ClockTimer, CooldownOptions, ExpectedErrorMessages } from '../../src/index.js';
import { Guards, validateGuards } from '../../src/checks/index.js';
import type { GuardLayer } from '../../src/checks/index.js';
import type { FakeChannel, FakeUser } from '../../src/testing/index.js';
import { startBot, startFake } from '../support/bot.js';
import { outcome } from '../support/resources.js';

/** A clock that moves only when told; due timers fire in order as it passes them. */
class ManualClock implements Clock {
  #now = 1_700_000_000_000;
  readonly #timers = new Map<ClockTimer, { at: number; callback: () => void }>();

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, delayMs: number): ClockTimer {
    const timer = {};
    this.#timers.set(timer, { at: this.#now + delayMs, callback });
    return timer;
  }

  clearTimeout(timer: ClockTimer): void {
    this.#timers.delete(timer);
  }

  get pendingTimers(): number {
    return this.#timers.size;
  }

  advance(ms: number): void {
    const until = this.#now + ms;
    for (;;) {
      const due = [...this.#timers].filter(([, t]) => t.at <= until).sort(([, a], [, b]) => a.at - b.at)[0];
      if (!due) break;
      this.#timers.delete(due[0]);
      this.#now = due[1].at;
      due[1].callback();
    }
    this.#now = until;
  }
}

// ---- one world for the file: two guilds, a locked channel, roles, an owner, a French user ----

const discord = await startFake();
const alice = discord.addUser({ username: 'alice' });
const bob = discord.addUser({ username: 'bob' });
const carol = discord.addUser({ username: 'carol' });
const zoe = discord.addUser({ username: 'zoe', locale: 'fr' });
discord.setOwners([alice]);

const g1 = discord.addGuild({ name: 'one', members: [bob, zoe] });
const mods = g1.addRole({ name: 'Mods', permissions: PermissionFlagsBits.ManageMessages | PermissionFlagsBits.KickMembers });
const admins = g1.addRole({ name: 'Admins', permissions: PermissionFlagsBits.Administrator });
g1.addMember(alice, { roles: [mods] });
g1.addMember(carol, { roles: [admins] });
const g1General = g1.channel('general');
const g1Other = g1.addChannel({ name: 'other' });
// The bot may not embed links or attach files here, and alice loses Manage Messages here.
const g1Locked = g1.addChannel({
  name: 'locked',
  permissionOverwrites: [
    { target: discord.botUser, deny: PermissionFlagsBits.EmbedLinks | PermissionFlagsBits.AttachFiles },
    { target: mods, deny: PermissionFlagsBits.ManageMessages },
  ],
});
const g2 = discord.addGuild({ name: 'two', members: [alice, bob] });
const g2General = g2.channel('general');

const waiting: ((interaction: Interaction) => void)[] = [];
const { bot } = await startBot(discord, {}, (b) =>
  b.listen('interactionCreate', (interaction) => {
    waiting.shift()?.(interaction);
  }),
);

/** A context for `user` running `/x` in `channel` (their DM with the bot when omitted), from the real interaction. */
async function contextOf(user: FakeUser, channel?: FakeChannel): Promise<InteractionContext> {
  const received = new Promise<Interaction>((resolve) => waiting.push(resolve));
  discord.as(user, channel).slash('x', {}, { allowUnregistered: true });
  return new InteractionContext(bot, await received, 'slash', '/x', performance.now());
}

const at = {
  aliceG1: await contextOf(alice, g1General),
  aliceG1Other: await contextOf(alice, g1Other),
  aliceG1Locked: await contextOf(alice, g1Locked),
  aliceG2: await contextOf(alice, g2General),
  aliceDm: await contextOf(alice),
  bobG1: await contextOf(bob, g1General),
  bobG1Locked: await contextOf(bob, g1Locked),
  bobG2: await contextOf(bob, g2General),
  bobDm: await contextOf(bob),
  carolG1Locked: await contextOf(carol, g1Locked),
  zoeG1Locked: await contextOf(zoe, g1Locked),
};

const noop = async (): Promise<void> => {
  /* the handler */
};

// Every assert.ok here has a message: without one, Node rebuilds it by parsing this TypeScript file, which can spin.
function checkFailure(error: unknown): CheckFailure {
  assert.ok(error instanceof CheckFailure, `expected a CheckFailure, got ${String(error)}`);
  return error;
}

/** Runs `/x` behind one layer with these checks; resolves with what happened. */
function runChecks(ctx: InteractionContext, ...list: Check[]): Promise<unknown> {
  return outcome(new Guards(new ManualClock()).run(ctx, [{ key: '/x', checks: list }], noop));
}

/** A promise to hold a handler open, and the function that lets it finish. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** Lets queued promise callbacks run (no time passes). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A slot that is never freed leaves a run waiting for ever: such a test fails after this instead of hanging. */
const BOUNDED = { timeout: 10_000 };

// ---- checks ----

test('guildOnly passes in a guild and fails in a DM; dmOnly the other way round', async () => {
  assert.equal(await runChecks(at.aliceG1, checks.guildOnly()), 'ran');
  const inDm = checkFailure(await runChecks(at.aliceDm, checks.guildOnly()));
  assert.equal(inDm.check, 'guildOnly');
  assert.equal(inDm.code, 'LANTERN_ERR_CHECK_FAILED');
  assert.deepEqual(inDm.missing, []);

  assert.equal(await runChecks(at.bobDm, checks.dmOnly()), 'ran');
  assert.equal(checkFailure(await runChecks(at.bobG2, checks.dmOnly())).check, 'dmOnly');
});

test('ownerOnly passes for the application owner Discord reports and fails for anyone else', async () => {
  assert.equal(await runChecks(at.aliceG1, checks.ownerOnly()), 'ran');
  assert.equal(await runChecks(at.aliceDm, checks.ownerOnly()), 'ran');
  const failure = checkFailure(await runChecks(at.bobG1, checks.ownerOnly()));
  assert.equal(failure.check, 'ownerOnly');
});

test(
  'userPermissions follows Discord: roles, Administrator, channel ' +
    'overwrites; names every missing permission; fails as guildOnly in a DM',
  async () => {
    const moderate = checks.userPermissions(PermissionFlagsBits.ManageMessages, 'KickMembers');
    assert.equal(await runChecks(at.aliceG1, moderate), 'ran', 'alice has both through the Mods role');
    assert.equal(await runChecks(at.carolG1Locked, moderate), 'ran', 'Administrator has everything');

    const bobs = checkFailure(await runChecks(at.bobG1, moderate));
    assert.equal(bobs.check, 'userPermissions');
    assert.deepEqual(bobs.missing, ['KickMembers', 'ManageMessages']);
    assert.match(bobs.message, /Kick Members, Manage Messages/);

    const locked = checkFailure(await runChecks(at.aliceG1Locked, moderate));
    assert.deepEqual(locked.missing, ['ManageMessages'], 'the overwrite takes Manage Messages away in that channel only');

    const inDm = checkFailure(await runChecks(at.aliceDm, moderate));
    assert.equal(inDm.check, 'guildOnly');
  },
);

test('botPermissions reads the permissions Discord sends for the bot in the channel, overwrites included', async () => {
  const embed = checks.botPermissions('SendMessages', 'EmbedLinks', 'AttachFiles');
  assert.equal(await runChecks(at.bobG1, embed), 'ran');
  const locked = checkFailure(await runChecks(at.bobG1Locked, embed));
  assert.equal(locked.check, 'botPermissions');
  assert.deepEqual(locked.missing, ['EmbedLinks', 'AttachFiles']);
  assert.match(locked.message, /missing Embed Links, Attach Files/);

  const moderate = checkFailure(await runChecks(at.bobG1, checks.botPermissions(PermissionFlagsBits.ManageMessages)));
  assert.deepEqual(moderate.missing, ['ManageMessages'], 'the bot was invited without moderation permissions');
});

test('a custom check: false or a reason fails under its name, true or nothing passes, async too', async () => {
  const premium = checks.custom('premium', (ctx) => (ctx.user.id === alice.id ? true : 'This needs a premium server.'));
  assert.equal(await runChecks(at.aliceG1, premium), 'ran');
  const refused = checkFailure(await runChecks(at.bobG1, premium));
  assert.equal(refused.check, 'premium');
  assert.equal(refused.reason, 'This needs a premium server.');
  assert.match(refused.message, /Check premium failed: This needs a premium server/);

  function notOnWeekends(): boolean {
    return false;
  }
  const named = checkFailure(await runChecks(at.aliceG1, notOnWeekends));
  assert.equal(named.check, 'notOnWeekends', 'a plain function is named by its name');
  assert.equal(named.reason, undefined);
  assert.equal(checkFailure(await runChecks(at.aliceG1, [() => false][0]!)).check, 'custom', 'an anonymous one is "custom"');

  const passes: Check[] = [() => true, () => undefined, async () => Promise.resolve(true)];
  assert.equal(await runChecks(at.aliceG1, ...passes), 'ran');
  assert.equal(checkFailure(await runChecks(at.aliceG1, async () => Promise.resolve('later'))).reason, 'later');

  // What plain JavaScript may return: a falsy value refuses; a function (an uncalled factory's check) is a bug.
  assert.equal(checkFailure(await runChecks(at.aliceG1, () => null as unknown as boolean)).check, 'custom');
  const uncalled = await runChecks(at.bobG1, Reflect.get(checks, 'ownerOnly') as unknown as Check);
  assert.ok(uncalled instanceof TypeError && /returned a function/.test(uncalled.message), `expected a TypeError, got ${String(uncalled)}`);
});

test('a check that throws is a bug: the original error propagates, and the handler does not run', async () => {
  const bug = new TypeError('cannot read the database');
  let ran = false;
  const guards = new Guards(new ManualClock());
  await assert.rejects(
    guards.run(
      at.aliceG1,
      [
        {
          key: '/x',
          checks: [
            () => {
              throw bug;
            },
          ],
        },
      ],
      () => {
        ran = true;
        return Promise.resolve();
      },
    ),
    (error) => error === bug,
  );
  assert.equal(ran, false);
  assert.equal(isExpectedError(bug), false);
});

test('checks run global, then extension, then command, and stop at the first refusal', async () => {
  const order: string[] = [];
  const note = (name: string, pass: boolean): Check =>
    checks.custom(name, () => {
      order.push(name);
      return pass;
    });
  const layers: GuardLayer[] = [
    { key: 'global', checks: [note('global', true)] },
    { key: 'extension fun', checks: [note('extension', false)] },
    { key: '/x', checks: [note('command', true)] },
  ];
  const failure = checkFailure(await outcome(new Guards(new ManualClock()).run(at.aliceG1, layers, noop)));
  assert.equal(failure.check, 'extension');
  assert.deepEqual(order, ['global', 'extension']);
});

// ---- cooldowns ----

/** Runs `/x` with one cooldown; resolves with 'ran' or the error. */
function attempt(guards: Guards, ctx: InteractionContext, cooldown: CooldownOptions, key = '/x'): Promise<unknown> {
  return outcome(guards.run(ctx, [{ key, cooldown }], noop));
}

function onCooldown(error: unknown): CommandOnCooldown {
  assert.ok(error instanceof CommandOnCooldown, `expected a CommandOnCooldown, got ${String(error)}`);
  return error;
}

function concurrencyRefusal(error: unknown): MaxConcurrencyReached {
  assert.ok(error instanceof MaxConcurrencyReached, `expected a MaxConcurrencyReached, got ${String(error)}`);
  return error;
}

test('cooldown: a sliding window; retryAfterMs is when the oldest use leaves it', async () => {
  const clock = new ManualClock();
  const guards = new Guards(clock);
  const cooldown: CooldownOptions = { bucket: 'user', uses: 2, windowMs: 10_000 };
  assert.equal(await attempt(guards, at.aliceG1, cooldown), 'ran');
  clock.advance(3000);
  assert.equal(await attempt(guards, at.aliceG1, cooldown), 'ran');
  clock.advance(1000);
  const first = onCooldown(await attempt(guards, at.aliceG1, cooldown));
  assert.equal(first.retryAfterMs, 6000);
  assert.equal(first.bucket, 'user');
  assert.equal(first.code, 'LANTERN_ERR_COOLDOWN');

  clock.advance(5999);
  assert.equal(onCooldown(await attempt(guards, at.aliceG1, cooldown)).retryAfterMs, 1);
  clock.advance(1);
  assert.equal(await attempt(guards, at.aliceG1, cooldown), 'ran', 'the first use has left the window');
  // The window slides: the use at 3 s is still in it, so there is no fresh pair of uses.
  assert.equal(onCooldown(await attempt(guards, at.aliceG1, cooldown)).retryAfterMs, 3000);
  assert.equal(await attempt(guards, at.aliceG1, cooldown, '/y'), 'ran', 'another command has its own cooldown');
});

/** For each bucket: who shares it with alice in guild one's general channel, and who has a bucket of their own (each a different one). */
const bucketCases: { bucket: BucketType; shared: (keyof typeof at)[]; separate: (keyof typeof at)[] }[] = [
  { bucket: 'user', shared: ['aliceG1Other', 'aliceG2', 'aliceDm'], separate: ['bobG1', 'carolG1Locked'] },
  { bucket: 'member', shared: ['aliceG1Other', 'aliceG1Locked'], separate: ['aliceG2', 'aliceDm', 'bobG1'] },
  { bucket: 'guild', shared: ['bobG1', 'aliceG1Other', 'bobG1Locked'], separate: ['bobG2', 'aliceDm'] },
  { bucket: 'channel', shared: ['bobG1'], separate: ['aliceG1Other', 'aliceG2', 'aliceDm'] },
  { bucket: 'global', shared: ['bobG2', 'bobDm', 'aliceG2'], separate: [] },
];

for (const { bucket, shared, separate } of bucketCases) {
  test(`cooldown bucket ${bucket}: shared by ${shared.join(', ')}; separate for ${separate.join(', ') || 'nobody'}`, async () => {
    const clock = new ManualClock();
    const guards = new Guards(clock);
    const cooldown: CooldownOptions = { bucket, uses: 1, windowMs: 30_000 };
    assert.equal(await attempt(guards, at.aliceG1, cooldown), 'ran');
    clock.advance(10_000);
    for (const name of shared) {
      const error = onCooldown(await attempt(guards, at[name], cooldown));
      assert.equal(error.retryAfterMs, 20_000, `${name} waits for alice's use to expire`);
      assert.equal(error.bucket, bucket);
    }
    for (const name of separate) assert.equal(await attempt(guards, at[name], cooldown), 'ran', `${name} has a bucket of its own`);
    clock.advance(20_000);
    for (const name of shared) {
      assert.equal(await attempt(guards, at[name], cooldown), 'ran', `${name} may run once alice's use has expired`);
      clock.advance(30_000);
    }
  });
}

test('member and guild buckets in DMs: each user on their own, apart from their guilds', async () => {
  const guards = new Guards(new ManualClock());
  for (const bucket of ['member', 'guild'] as const) {
    const cooldown: CooldownOptions = { bucket, uses: 1, windowMs: 30_000 };
    assert.equal(await attempt(guards, at.aliceDm, cooldown), 'ran');
    onCooldown(await attempt(guards, at.aliceDm, cooldown));
    assert.equal(await attempt(guards, at.bobDm, cooldown), 'ran', 'bob’s DM is not alice’s');
    assert.equal(await attempt(guards, at.aliceG2, cooldown), 'ran', 'alice’s DMs are not her guilds');
  }
});

test('a refused check, a cooldown elsewhere in the layers, or a concurrency refusal uses up no cooldown', BOUNDED, async () => {
  const clock = new ManualClock();
  const guards = new Guards(clock);
  const cooldown: CooldownOptions = { bucket: 'user', uses: 1, windowMs: 60_000 };
  const ownerOnly = [{ key: '/x', checks: [checks.ownerOnly()], cooldown }];
  assert.equal(checkFailure(await outcome(guards.run(at.bobG1, ownerOnly, noop))).check, 'ownerOnly');
  assert.equal(await attempt(guards, at.bobG1, cooldown), 'ran', 'the refused run did not count');

  // The command layer is on cooldown for alice: the global layer's use is not taken either.
  const global: GuardLayer = { key: 'global', cooldown: { bucket: 'user', uses: 1, windowMs: 60_000 } };
  assert.equal(await attempt(guards, at.aliceG1, cooldown, '/y'), 'ran');
  const layered = onCooldown(await outcome(guards.run(at.aliceG1, [global, { key: '/y', cooldown }], noop)));
  assert.equal(layered.retryAfterMs, 60_000);
  assert.equal(await outcome(guards.run(at.aliceG1, [global], noop)), 'ran', 'the global use was left for later');

  // Two layers on cooldown: the error names the longer wait.
  clock.advance(15_000);
  const longer = onCooldown(
    await outcome(guards.run(at.aliceG1, [global, { key: '/y', cooldown: { ...cooldown, windowMs: 90_000 } }], noop)),
  );
  assert.equal(longer.retryAfterMs, 75_000, 'the command’s 90 s window, not the global 60 s one');

  // Refused for concurrency: the cooldown use is given back.
  const hold = gate();
  const busy: GuardLayer[] = [
    { key: '/z', cooldown: { bucket: 'user', uses: 1, windowMs: 60_000 }, maxConcurrency: { bucket: 'global', limit: 1 } },
  ];
  const first = guards.run(at.carolG1Locked, busy, () => hold.opened);
  concurrencyRefusal(await outcome(guards.run(at.aliceG1, busy, noop)));
  hold.open();
  await first;
  assert.equal(await outcome(guards.run(at.aliceG1, busy, noop)), 'ran', 'alice still had her use');
});

test('cooldown memory stays bounded: expired logs are swept on use, without any timer', async () => {
  const clock = new ManualClock();
  const guards = new Guards(clock);
  const cooldown: CooldownOptions = { bucket: 'member', uses: 3, windowMs: 10_000 };
  for (let i = 0; i < 5000; i += 1) {
    guards.cooldowns.take({ user: { id: `user-${String(i)}` }, guildId: g1.id, channelId: g1General.id }, [{ key: '/x', cooldown }]);
  }
  assert.equal(guards.cooldowns.size, 5000, 'every use is still inside its window');
  assert.equal(clock.pendingTimers, 0, 'cooldowns set no timers');

  clock.advance(30_000);
  assert.equal(await attempt(guards, at.aliceG1, cooldown), 'ran');
  assert.equal(guards.cooldowns.size, 5001, 'no sweep before the interval: alice’s use is one more');
  clock.advance(31_000);
  assert.equal(await attempt(guards, at.bobG1, cooldown), 'ran');
  assert.equal(guards.cooldowns.size, 1, 'only bob’s fresh use is left');
});

// ---- max concurrency ----

test(
  'max concurrency refuse: the second run in the bucket fails at once, others run, the slot frees when the handler ends',
  BOUNDED,
  async () => {
    const guards = new Guards(new ManualClock());
    const layers: GuardLayer[] = [{ key: '/long', maxConcurrency: { bucket: 'user', limit: 1, mode: 'refuse' } }];
    const hold = gate();
    const first = guards.run(at.aliceG1, layers, () => hold.opened);
    await settle();
    const refused = concurrencyRefusal(await outcome(guards.run(at.aliceG2, layers, noop)));
    assert.equal(refused.code, 'LANTERN_ERR_MAX_CONCURRENCY');
    assert.equal(refused.limit, 1);
    assert.equal(refused.bucket, 'user');
    assert.equal(refused.timedOut, false);
    assert.equal(await outcome(guards.run(at.bobG1, layers, noop)), 'ran', 'bob is in another bucket');

    hold.open();
    await first;
    assert.equal(await outcome(guards.run(at.aliceG1, layers, noop)), 'ran');
    assert.equal(guards.concurrency.size, 0, 'nothing kept once nothing runs');
  },
);

test(
  'max concurrency wait: queued runs start first come, first served as slots free; onWait runs for each queued run',
  BOUNDED,
  async () => {
    const guards = new Guards(new ManualClock());
    const layers: GuardLayer[] = [{ key: '/queue', maxConcurrency: { bucket: 'guild', limit: 2, mode: 'wait' } }];
    const started: string[] = [];
    const waited: string[] = [];
    const gates = new Map<string, ReturnType<typeof gate>>();
    const runAs = (name: string, ctx: InteractionContext) => {
      const hold = gate();
      gates.set(name, hold);
      return guards.run(
        ctx,
        layers,
        async () => {
          started.push(name);
          await hold.opened;
        },
        { onWait: () => waited.push(name) },
      );
    };
    const runs = [
      runAs('a', at.aliceG1),
      runAs('b', at.bobG1),
      runAs('c', at.aliceG1Other),
      runAs('d', at.bobG1Locked),
      runAs('e', at.carolG1Locked),
    ];
    const elsewhere = runAs('g2', at.bobG2);
    await settle();
    assert.deepEqual(started, ['a', 'b', 'g2']);
    assert.deepEqual(waited, ['c', 'd', 'e']);

    gates.get('b')!.open();
    await settle();
    assert.deepEqual(started, ['a', 'b', 'g2', 'c']);
    gates.get('a')!.open();
    gates.get('c')!.open();
    await settle();
    assert.deepEqual(started, ['a', 'b', 'g2', 'c', 'd', 'e']);
    for (const hold of gates.values()) hold.open();
    await Promise.all([...runs, elsewhere]);
    assert.equal(guards.concurrency.size, 0);
  },
);

test('max concurrency: a handler that throws still frees its slot, and its error propagates unchanged', BOUNDED, async () => {
  const guards = new Guards(new ManualClock());
  const layers: GuardLayer[] = [{ key: '/x', maxConcurrency: { bucket: 'channel', limit: 1, mode: 'wait' } }];
  const boom = new RangeError('handler failed');
  const hold = gate();
  const failing = guards.run(at.aliceG1, layers, async () => {
    await hold.opened;
    throw boom;
  });
  const queued = guards.run(at.bobG1, layers, noop);
  hold.open();
  await assert.rejects(failing, (error) => error === boom);
  await queued;
  assert.equal(await outcome(guards.run(at.bobG1, [{ key: '/x', maxConcurrency: { bucket: 'channel', limit: 1 } }], noop)), 'ran');
  assert.equal(guards.concurrency.size, 0);
});

test('max concurrency wait with timeoutMs: gives up on the clock, leaves the queue, and never takes a slot later', BOUNDED, async () => {
  const clock = new ManualClock();
  const guards = new Guards(clock);
  const layers: GuardLayer[] = [{ key: '/x', maxConcurrency: { bucket: 'global', limit: 1, mode: 'wait', timeoutMs: 5000 } }];
  const hold = gate();
  const first = guards.run(at.aliceG1, layers, () => hold.opened);
  let lateRan = false;
  const late = outcome(
    guards.run(at.bobG1, layers, () => {
      lateRan = true;
      return Promise.resolve();
    }),
  );
  await settle();
  clock.advance(4999);
  await settle();
  assert.equal(clock.pendingTimers, 1, 'still waiting');
  clock.advance(1);
  const error = concurrencyRefusal(await late);
  assert.equal(error.timedOut, true);
  assert.equal(lateRan, false);

  hold.open();
  await first;
  assert.equal(lateRan, false, 'the slot did not pass to the run that gave up');
  assert.equal(guards.concurrency.size, 0);
  assert.equal(clock.pendingTimers, 0);
});

test(
  'max concurrency wait without a timeout ends with the interaction’s 15-minute lifetime; a failing onWait leaves the queue',
  BOUNDED,
  async () => {
    const clock = new ManualClock();
    const guards = new Guards(clock);
    const layers: GuardLayer[] = [{ key: '/x', maxConcurrency: { bucket: 'user', limit: 1, mode: 'wait' } }];
    const hold = gate();
    const first = guards.run(at.aliceG1, layers, () => hold.opened);
    const queued = outcome(guards.run(at.aliceG2, layers, noop));
    await settle();
    clock.advance(14 * 60_000);
    await settle();
    assert.equal(clock.pendingTimers, 1);
    clock.advance(60_000);
    assert.equal(concurrencyRefusal(await queued).timedOut, true);

    const deferFailed = new Error('could not defer');
    const failedWait = await outcome(
      guards.run(at.aliceDm, layers, noop, {
        onWait: () => {
          throw deferFailed;
        },
      }),
    );
    assert.equal(failedWait, deferFailed);
    assert.equal(clock.pendingTimers, 0, 'its timeout is cleared');
    hold.open();
    await first;
    assert.equal(guards.concurrency.size, 0);
  },
);

// ---- definitions ----

test('validateGuards refuses options no run could use, naming where and what', () => {
  const bad: [Parameters<typeof validateGuards>[0], RegExp][] = [
    [{ cooldown: { bucket: 'user', uses: 0, windowMs: 1000 } }, /cooldown\.uses must be a whole number of at least 1 \(got 0\)/],
    [{ cooldown: { bucket: 'user', uses: 1.5, windowMs: 1000 } }, /cooldown\.uses/],
    [{ cooldown: { bucket: 'user', uses: 1, windowMs: 0 } }, /cooldown\.windowMs must be a positive number/],
    [
      { cooldown: { bucket: 'role' as BucketType, uses: 1, windowMs: 1000 } },
      /cooldown\.bucket must be one of 'user', 'member', 'guild', 'channel', 'global' \(got "role"\)/,
    ],
    [{ maxConcurrency: { bucket: 'guild', limit: 0 } }, /maxConcurrency\.limit must be a whole number of at least 1/],
    [{ maxConcurrency: { bucket: 'server' as BucketType, limit: 1 } }, /maxConcurrency\.bucket/],
    [{ maxConcurrency: { bucket: 'guild', limit: 1, mode: 'queue' as 'wait' } }, /maxConcurrency\.mode must be 'refuse' or 'wait'/],
    [{ maxConcurrency: { bucket: 'guild', limit: 1, timeoutMs: 1000 } }, /timeoutMs only applies with mode 'wait'/],
    [{ maxConcurrency: { bucket: 'guild', limit: 1, mode: 'wait', timeoutMs: -1 } }, /timeoutMs must be a positive number/],
    [{ checks: [checks.guildOnly(), 'x' as unknown as Check] }, /checks\[1\] is not a function/],
    [
      { checks: [Reflect.get(checks, 'ownerOnly') as unknown as Check] },
      /checks\[0\] is checks\.ownerOnly itself; call it: checks\.ownerOnly\(\)/,
    ],
    [{ checks: [Reflect.get(checks, 'userPermissions') as unknown as Check] }, /call it: checks\.userPermissions\(\.\.\.\)/],
  ];
  for (const [options, message] of bad) {
    assert.throws(
      () => {
        validateGuards(options, '/ban');
      },
      (error) => error instanceof GuardDefinitionError && error.message.startsWith('/ban: ') && message.test(error.message),
      JSON.stringify(options),
    );
  }
  assert.equal(new GuardDefinitionError('/ban', 'x').code, 'LANTERN_ERR_GUARD_DEFINITION');
  validateGuards(
    {
      checks: [checks.guildOnly()],
      cooldown: { bucket: 'member', uses: 3, windowMs: 60_000 },
      maxConcurrency: { bucket: 'channel', limit: 2, mode: 'wait', timeoutMs: 10_000 },
    },
    '/ban',
  );
  assert.throws(() => checks.userPermissions(), GuardDefinitionError);
  assert.throws(
    () => checks.botPermissions('ManageMesages' as 'ManageMessages'),
    /ManageMesages/,
    'a misspelt permission fails when defined',
  );
});

// ---- messages ----

const cooldownError = new CommandOnCooldown({ retryAfterMs: 11_200, bucket: 'user', uses: 1, windowMs: 30_000 });
const permissionsError = new CheckFailure('userPermissions', { missing: ['ManageMessages', 'BanMembers'] });
const oneBotPermission = new CheckFailure('botPermissions', { missing: ['EmbedLinks'] });
const concurrencyError = new MaxConcurrencyReached({ limit: 1, bucket: 'channel', timedOut: false });

test('messages in English by default: how long to wait, what is missing, why it is refused', () => {
  assert.equal(expectedErrorMessage(cooldownError, 'en-US'), 'You\u2019re doing that too often. Try again in 12 seconds.');
  assert.equal(
    expectedErrorMessage(new CommandOnCooldown({ retryAfterMs: 65_000, bucket: 'guild', uses: 1, windowMs: 90_000 }), 'en-GB'),
    'You\u2019re doing that too often. Try again in 1 minute and 5 seconds.',
  );
  assert.equal(expectedErrorMessage(permissionsError, 'en-US'), 'You need the Manage Messages and Ban Members permissions to use this.');
  assert.equal(expectedErrorMessage(oneBotPermission, 'en-US'), 'I need the Embed Links permission in this channel to do that.');
  assert.equal(expectedErrorMessage(new CheckFailure('guildOnly'), 'en-US'), 'This can only be used in a server.');
  assert.equal(expectedErrorMessage(new CheckFailure('dmOnly'), 'en-US'), 'This can only be used in direct messages.');
  assert.equal(expectedErrorMessage(new CheckFailure('ownerOnly'), 'en-US'), 'Only the bot\u2019s owners can use this.');
  assert.equal(
    expectedErrorMessage(new CheckFailure('premium', { reason: 'This needs a premium server.' }), 'en-US'),
    'This needs a premium server.',
  );
  assert.equal(expectedErrorMessage(new CheckFailure('premium'), 'en-US'), 'You can\u2019t use this right now.');
  assert.equal(
    expectedErrorMessage(concurrencyError, 'en-US'),
    'This is already running in this channel. Wait until it finishes, then try again.',
  );
  assert.equal(expectedErrorMessage(new Error('a bug'), 'en-US'), undefined);
  assert.equal(expectedErrorMessage('thrown text', 'en-US'), undefined);
});

test('messages in French and German for each kind; Spanish for both Discord variants; other locales fall back', () => {
  assert.equal(expectedErrorMessage(cooldownError, 'fr'), 'Vous faites cela trop souvent. R\u00e9essayez dans 12\u00a0secondes.');
  assert.equal(
    expectedErrorMessage(permissionsError, 'fr'),
    'Il vous faut les permissions Manage Messages et Ban Members pour utiliser ceci.',
  );
  assert.equal(
    expectedErrorMessage(oneBotPermission, 'fr'),
    'J\u2019ai besoin de la permission Embed Links dans ce salon pour faire cela.',
  );
  assert.equal(expectedErrorMessage(new CheckFailure('guildOnly'), 'fr'), 'Ceci ne peut \u00eatre utilis\u00e9 que sur un serveur.');
  assert.equal(
    expectedErrorMessage(concurrencyError, 'fr'),
    'Ceci est d\u00e9j\u00e0 en cours dans ce salon. Attendez que ce soit termin\u00e9, puis r\u00e9essayez.',
  );

  assert.equal(expectedErrorMessage(cooldownError, 'de'), 'Du machst das zu oft. Versuche es in 12 Sekunden erneut.');
  assert.equal(expectedErrorMessage(permissionsError, 'de'), 'Daf\u00fcr brauchst du die Berechtigungen Manage Messages und Ban Members.');
  assert.equal(expectedErrorMessage(new CheckFailure('ownerOnly'), 'de'), 'Nur die Besitzer des Bots k\u00f6nnen das verwenden.');
  assert.equal(
    expectedErrorMessage(concurrencyError, 'de'),
    'Das l\u00e4uft in diesem Kanal bereits. Warte, bis es fertig ist, und versuche es dann erneut.',
  );

  const spanish = 'Est\u00e1s haciendo eso demasiado seguido. Vuelve a intentarlo en 12 segundos.';
  assert.equal(expectedErrorMessage(cooldownError, 'es-ES'), spanish);
  assert.equal(expectedErrorMessage(cooldownError, 'es-419'), spanish);
  assert.equal(
    expectedErrorMessage(new CheckFailure('dmOnly'), 'fr-CA'),
    'Ceci ne peut \u00eatre utilis\u00e9 qu\u2019en messages priv\u00e9s.',
    'an unknown variant falls back to its language',
  );
  assert.equal(
    expectedErrorMessage(cooldownError, 'ja'),
    'You\u2019re doing that too often. Try again in 12 seconds.',
    'numbers too are written in English then',
  );
});

test('messages for real failures in the user’s own locale: a French user refused by botPermissions', async () => {
  assert.equal(at.zoeG1Locked.locale, 'fr');
  const failure = checkFailure(await runChecks(at.zoeG1Locked, checks.botPermissions('EmbedLinks', 'AttachFiles')));
  assert.equal(
    expectedErrorMessage(failure, at.zoeG1Locked.locale),
    'J\u2019ai besoin des permissions Embed Links et Attach Files dans ce salon pour faire cela.',
  );
});

test(
  'message overrides: a template with placeholders, or a function ' + 'of the error and locale; kinds left out keep the built-in text',
  () => {
    const templates: ExpectedErrorMessages = {
      cooldown: 'Slow down! {duration} ({seconds}s, per {bucket}).',
      check: 'No: {check} needs {missing}.{reason}',
      maxConcurrency: 'Busy: {limit} per {bucket}. {unknown}',
    };
    assert.equal(expectedErrorMessage(cooldownError, 'en-US', templates), 'Slow down! 12 seconds (12s, per user).');
    assert.equal(expectedErrorMessage(cooldownError, 'de', templates), 'Slow down! 12 Sekunden (12s, per user).');
    assert.equal(expectedErrorMessage(permissionsError, 'en-US', templates), 'No: userPermissions needs Manage Messages and Ban Members.');
    assert.equal(expectedErrorMessage(concurrencyError, 'en-US', templates), 'Busy: 1 per channel. {unknown}');

    const functions: ExpectedErrorMessages = {
      check: (error, locale) => `${locale}:${error.check}:${error.missing.join('+')}`,
      cooldown: (error, locale) =>
        locale === 'fr'
          ? `Attends ${String(Math.ceil(error.retryAfterMs / 1000))} s`
          : `Wait ${readableDuration(error.retryAfterMs, locale)}`,
    };
    assert.equal(expectedErrorMessage(permissionsError, 'fr', functions), 'fr:userPermissions:ManageMessages+BanMembers');
    assert.equal(expectedErrorMessage(cooldownError, 'fr', functions), 'Attends 12 s');
    assert.equal(expectedErrorMessage(cooldownError, 'en-US', functions), 'Wait 12 seconds');
    assert.equal(
      expectedErrorMessage(concurrencyError, 'fr', functions),
      'Ceci est d\u00e9j\u00e0 en cours dans ce salon. Attendez que ce soit termin\u00e9, puis r\u00e9essayez.',
    );
  },
);

test('isExpectedError, readable permissions and durations', () => {
  assert.equal(isExpectedError(cooldownError), true);
  assert.equal(isExpectedError(permissionsError), true);
  assert.equal(isExpectedError(concurrencyError), true);
  assert.equal(isExpectedError(new GuardDefinitionError('/x', 'bad')), false);
  assert.equal(isExpectedError(new Error('LANTERN_ERR_COOLDOWN')), false);
  assert.equal(isExpectedError(undefined), false);

  assert.equal(readablePermission('SendTTSMessages'), 'Send TTS Messages');
  assert.equal(readablePermission('ManageGuild'), 'Manage Server');
  assert.equal(readablePermission('UseApplicationCommands'), 'Use Application Commands');

  assert.equal(readableDuration(1, 'en-US'), '1 second', 'never "0 seconds"');
  assert.equal(readableDuration(60_000, 'en-US'), '1 minute');
  assert.equal(readableDuration(3_600_001, 'en-US'), '1 hour and 1 minute', 'rounded up, seconds left out from an hour on');
  assert.equal(readableDuration(2 * 3_600_000, 'fr'), '2\u00a0heures');
});
