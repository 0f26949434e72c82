import type { Bot } from '../../interactions/bot.js';
import type { ErrorStore } from './store.js';

type StoreListener = (store: ErrorStore) => void;

/** Per bot (its discord.js client, which every scoped view of the bot shares): the store it loaded, and who waits for it. */
const stores = new WeakMap<object, ErrorStore>();
const listeners = new WeakMap<object, Set<StoreListener>>();

/**
 * Tells the other extensions of `bot` that `lantern/ext/local` opened `store`: the Sentry outbox keeps its tables in
 * the same file, and feedback from users is written beside its issue. Returns what withdraws it (on unload).
 */
export function announceLocalStore(bot: Bot, store: ErrorStore): () => void {
  stores.set(bot.discord, store);
  for (const listener of listeners.get(bot.discord) ?? []) listener(store);
  return () => {
    if (stores.get(bot.discord) === store) stores.delete(bot.discord);
  };
}

/** The local store `bot` has loaded, if any. */
export function localStoreOf(bot: Bot): ErrorStore | undefined {
  return stores.get(bot.discord);
}

/** Calls `listener` when `bot` loads a local store; returns what stops it. */
export function onLocalStore(bot: Bot, listener: StoreListener): () => void {
  let set = listeners.get(bot.discord);
  if (!set) listeners.set(bot.discord, (set = new Set()));
  set.add(listener);
  return () => set.delete(listener);
}
