import { createRequire } from 'node:module';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Bot } from '../interactions/bot.js';
import { GuardDefinitionError } from '../checks/errors.js';
import { validateGuards } from '../checks/guard.js';
import { ExtensionLoadError, ExtensionStateError } from '../errors/codes.js';
import type { InteractionErrorEvent } from '../events/types.js';
import type { ErrorInit } from '../events/error-event.js';
import type { GuardOptions } from '../checks/guard.js';
import type { Extension, Teardown } from './extension.js';

/** One loaded extension; it is also the owner recorded on the commands and listeners it adds. */
export class LoadedExtension {
  teardown: Teardown | undefined;

  constructor(
    readonly name: string,
    readonly extension: Extension<unknown>,
    readonly options: unknown,
    /** The URL it was imported from, when loaded by specifier (reload imports it again). */
    readonly url: string | undefined,
  ) {}

  /** The extension's own checks, cooldown and concurrency limit, in front of everything it adds. */
  get guards(): GuardOptions {
    return this.extension;
  }

  onError(event: InteractionErrorEvent): unknown {
    return this.extension.onError?.(event);
  }
}

export interface ExtensionHost {
  /** A view of the bot whose additions are owned by `owner`. */
  scoped(owner: LoadedExtension): Bot;
  /** Removes every command and listener the owner added. */
  removeOwnedBy(owner: LoadedExtension): void;
  reportError(init: ErrorInit): Promise<unknown>;
}

/** Loads, unloads and reloads extensions, keeping them in load order. */
export class ExtensionManager {
  readonly #loaded = new Map<string, LoadedExtension>();
  #reloads = 0;

  constructor(private readonly host: ExtensionHost) {}

  names(): string[] {
    return [...this.#loaded.keys()];
  }

  async load(source: string | Extension<unknown>, options: unknown): Promise<string> {
    const fallbackName = typeof source === 'string' ? source : undefined;
    const { extension, url } = await this.#import(source, fallbackName ?? 'extension');
    const name = extension.name ?? fallbackName;
    if (!name) return this.#loadFailed('extension', 'an extension given as an object needs a `name`');
    if (this.#loaded.has(name)) throw new ExtensionStateError(`Extension ${name} is already loaded; use reloadExtension to replace it`);
    await this.#setup(new LoadedExtension(name, extension, options, url));
    return name;
  }

  async unload(name: string): Promise<void> {
    const loaded = this.#loaded.get(name);
    if (!loaded) throw new ExtensionStateError(`Extension ${name} is not loaded`);
    await this.#teardown(loaded);
  }

  /** Unloads every extension, the last loaded first (so one loaded first, a tracker, sees the others go). */
  async unloadAll(): Promise<void> {
    for (const loaded of [...this.#loaded.values()].reverse()) await this.#teardown(loaded);
  }

  /**
   * Imports the extension again and swaps it in. When the new version fails to import or to set up, the
   * previous one is set up again with its options and the failure is thrown as an ExtensionLoadError.
   */
  async reload(name: string): Promise<void> {
    const previous = this.#loaded.get(name);
    if (!previous) throw new ExtensionStateError(`Extension ${name} is not loaded`);
    const base = previous.url?.split('?')[0];
    // A module in a CommonJS package scope (a `.ts` or `.js` file there, under tsx) is cached by file name, not
    // URL: the fresh query alone would hand back the old version, so it is dropped from the require cache first.
    if (base) Reflect.deleteProperty(requireCache, fileURLToPath(base));
    const next = base
      ? await this.#import(`${base}?reload=${String(++this.#reloads)}`, name)
      : { extension: previous.extension, url: undefined };
    await this.#teardown(previous);
    try {
      await this.#setup(new LoadedExtension(name, next.extension, previous.options, next.url ?? previous.url));
    } catch (error) {
      await this.#setup(new LoadedExtension(name, previous.extension, previous.options, previous.url)).catch(() => undefined);
      throw new ExtensionLoadError(
        name,
        this.#loaded.has(name)
          ? 'the new version failed; the previous version is loaded again'
          : 'the new version failed and so did the previous one; the extension is unloaded',
        { cause: error },
      );
    }
  }

  async #setup(loaded: LoadedExtension): Promise<void> {
    this.#loaded.set(loaded.name, loaded);
    try {
      validateGuards(loaded.extension, `extension ${loaded.name}`);
      const teardown = await loaded.extension.setup(this.host.scoped(loaded), loaded.options);
      loaded.teardown = typeof teardown === 'function' ? (teardown as Teardown) : undefined;
    } catch (error) {
      this.#loaded.delete(loaded.name);
      this.host.removeOwnedBy(loaded);
      await this.#loadFailed(loaded.name, error instanceof GuardDefinitionError ? 'its guards are invalid' : 'setup threw', error);
    }
  }

  async #teardown(loaded: LoadedExtension): Promise<void> {
    this.#loaded.delete(loaded.name);
    try {
      await loaded.teardown?.();
    } catch (error) {
      await this.host.reportError({ source: `extension ${loaded.name} teardown`, error, extension: loaded.name });
    } finally {
      this.host.removeOwnedBy(loaded);
    }
  }

  async #import(source: string | Extension<unknown>, name: string): Promise<{ extension: Extension<unknown>; url: string | undefined }> {
    if (typeof source !== 'string') {
      if (typeof source.setup !== 'function') return this.#loadFailed(source.name ?? name, 'it has no `setup` function');
      return { extension: source, url: undefined };
    }
    const url = toImportable(source);
    let namespace: Record<string, unknown>;
    try {
      namespace = (await import(url)) as Record<string, unknown>;
    } catch (error) {
      return this.#loadFailed(name, `could not import ${source}`, error);
    }
    const extension = [namespace, namespace.default].find(
      (candidate): candidate is Extension<unknown> => typeof (candidate as Partial<Extension<unknown>> | undefined)?.setup === 'function',
    );
    if (!extension) return this.#loadFailed(name, `${source} exports no \`setup(bot, options)\` function`);
    return { extension, url: url.startsWith('file:') ? url : undefined };
  }

  /** Tells the `Error` listeners (a tracker loaded earlier among them), then throws. */
  async #loadFailed(name: string, message: string, cause?: unknown): Promise<never> {
    const error = new ExtensionLoadError(name, message, cause === undefined ? undefined : { cause });
    await this.host.reportError({ source: `extension ${name}`, error, extension: name });
    throw error;
  }
}

const requireCache = createRequire(import.meta.url).cache;

/** Relative and absolute paths resolve from the working directory; anything else is a package specifier. */
function toImportable(specifier: string): string {
  if (specifier.startsWith('file:')) return specifier;
  if (specifier.startsWith('./') || specifier.startsWith('../')) return pathToFileURL(resolve(process.cwd(), specifier)).href;
  if (isAbsolute(specifier)) return pathToFileURL(specifier).href;
  return specifier;
}
