import { Routes } from 'discord.js';
import type { REST } from 'discord.js';
import { CommandSyncError } from '../errors/codes.js';
import type { CommandRegistry } from './registry.js';
import { comparable, toCommandJSON } from './schema.js';
import type { CommandJSON } from './schema.js';

export interface SyncTarget {
  rest: REST;
  applicationId: string;
  /** Register commands that name no guilds in these guilds instead of globally (development). */
  devGuilds: readonly string[];
}

export interface SyncResult {
  /** Scopes (`global` or a guild id) whose registration was replaced because it differed. */
  updated: string[];
  /** Scopes already registered as defined: no write was made. */
  unchanged: string[];
  failed: CommandSyncError[];
}

/**
 * Keeps Discord's registered commands equal to the registry, one scope (global, or a guild) at a time:
 * it reads what is registered and overwrites it only when it differs, so a restart costs one GET per scope.
 * A scope synced once is synced again after its last command goes, so removed commands disappear.
 */
export class CommandSync {
  readonly #known = new Set<string>();
  #queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly registry: CommandRegistry) {}

  /** Runs a sync after any that is running, so two changes never race and the last one always lands. */
  run(target: SyncTarget): Promise<SyncResult> {
    const result = this.#queue.then(() => this.#sync(target));
    this.#queue = result.catch(() => undefined);
    return result;
  }

  /** Resolves when no sync is running or queued. */
  async idle(): Promise<void> {
    await this.#queue;
  }

  async #sync(target: SyncTarget): Promise<SyncResult> {
    const scopes = this.#scopes(target.devGuilds);
    const result: SyncResult = { updated: [], unchanged: [], failed: [] };
    await Promise.all(
      [...scopes].map(async ([scope, commands]) => {
        try {
          const changed = await syncScope(target, scope, commands);
          (changed ? result.updated : result.unchanged).push(scope);
          this.#known.add(scope);
        } catch (error) {
          result.failed.push(new CommandSyncError(scope === 'global' ? 'global' : `guild ${scope}`, { cause: error }));
        }
      }),
    );
    return result;
  }

  #scopes(devGuilds: readonly string[]): Map<string, CommandJSON[]> {
    const scopes = new Map<string, CommandJSON[]>([...this.#known].map((scope) => [scope, []]));
    if (devGuilds.length === 0) scopes.set('global', scopes.get('global') ?? []);
    for (const { definition } of this.registry.list()) {
      const json = toCommandJSON(definition);
      const guilds = definition.guilds ?? (devGuilds.length > 0 ? devGuilds : ['global']);
      for (const scope of guilds) scopes.set(scope, [...(scopes.get(scope) ?? []), json]);
    }
    return scopes;
  }
}

async function syncScope({ rest, applicationId }: SyncTarget, scope: string, commands: CommandJSON[]): Promise<boolean> {
  const route = scope === 'global' ? Routes.applicationCommands(applicationId) : Routes.applicationGuildCommands(applicationId, scope);
  const registered = (await rest.get(route)) as Record<string, unknown>[];
  const setFields = { contexts: commands.some((c) => c.contexts), integrationTypes: commands.some((c) => c.integration_types) };
  const key = (list: Record<string, unknown>[]) =>
    JSON.stringify(
      list.map((c) => comparable(c, setFields)).sort((a, b) => (a as { name: string }).name.localeCompare((b as { name: string }).name)),
    );
  if (key(registered) === key(commands as unknown as Record<string, unknown>[])) return false;
  await rest.put(route, { body: commands });
  return true;
}
