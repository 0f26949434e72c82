import { LanternError } from '../errors/lantern-error.js';

/** How a shard's process ended: an exit code, or the signal that killed it. */
export interface ShardExit {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
}

function describeExit({ exitCode, signal }: ShardExit): string {
  if (signal) return `killed by ${signal}`;
  return exitCode === null ? 'exited' : `exited with code ${String(exitCode)}`;
}

/** A shard's process ended without the manager stopping it: it crashed, was killed, or its bot exited on its own. */
export class ShardDied extends LanternError<'LANTERN_ERR_SHARD_DIED'> {
  readonly shardId: number;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** How long the process had run. */
  readonly uptimeMs: number;
  /** Whether the manager is starting it again (its `respawn` option). */
  readonly respawning: boolean;

  constructor(details: { shardId: number; exit: ShardExit; uptimeMs: number; respawning: boolean }) {
    const { shardId, exit, uptimeMs, respawning } = details;
    super(
      'LANTERN_ERR_SHARD_DIED',
      `Shard ${String(shardId)} died: ${describeExit(exit)} after ${String(Math.round(uptimeMs))} ms; ` +
        (respawning ? 'respawning' : 'not respawned (respawn is off)'),
    );
    this.shardId = shardId;
    this.exitCode = exit.exitCode;
    this.signal = exit.signal;
    this.uptimeMs = uptimeMs;
    this.respawning = respawning;
  }
}

/** A shard that died is ready again in a new process; `cause` is its death. */
export class ShardRespawned extends LanternError<'LANTERN_ERR_SHARD_RESPAWNED'> {
  readonly shardId: number;
  /** From the death to the new process's ready. */
  readonly downtimeMs: number;

  constructor(shardId: number, downtimeMs: number, death: ShardDied) {
    super(
      'LANTERN_ERR_SHARD_RESPAWNED',
      `Shard ${String(shardId)} respawned: ready again ${String(Math.round(downtimeMs))} ms after it died`,
      {
        cause: death,
      },
    );
    this.shardId = shardId;
    this.downtimeMs = downtimeMs;
  }
}

/** discord.js could not start a shard again after its death; `cause` says why. */
export class ShardRespawnFailed extends LanternError<'LANTERN_ERR_SHARD_RESPAWN_FAILED'> {
  readonly shardId: number;

  constructor(shardId: number, cause: unknown) {
    super('LANTERN_ERR_SHARD_RESPAWN_FAILED', `Shard ${String(shardId)} could not be respawned`, { cause });
    this.shardId = shardId;
  }
}

/** A shard's process has run `timeoutMs` without its client becoming ready (a login that hangs, a crash loop at start). */
export class ShardNotReady extends LanternError<'LANTERN_ERR_SHARD_NOT_READY'> {
  readonly shardId: number;
  readonly timeoutMs: number;

  constructor(shardId: number, timeoutMs: number) {
    super('LANTERN_ERR_SHARD_NOT_READY', `Shard ${String(shardId)} did not become ready within ${String(timeoutMs)} ms of its spawn`);
    this.shardId = shardId;
    this.timeoutMs = timeoutMs;
  }
}

/** ShardManager options no manager could run with (a ready timeout of 0). */
export class ShardManagerOptionsError extends LanternError<'LANTERN_ERR_SHARD_OPTIONS'> {
  constructor(option: string, problem: string) {
    super('LANTERN_ERR_SHARD_OPTIONS', `ShardManager option ${option}: ${problem}`);
  }
}
