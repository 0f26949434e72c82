/**
 * The bot as the parts below the client know it: `ctx.bot`, an extension's `setup(bot)`, a task's `ctx.bot`.
 *
 * Declared empty here, at the bottom, and filled in by `Client` through declaration merging (as Sapphire's `Container`
 * and Hono's `ContextVariableMap` are), so a context, an extension or a task can name the bot without importing the
 * client that imports them. It is the whole `Client` type: its private fields keep a plain object from passing as one.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Bot {}
