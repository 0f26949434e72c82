import { DiscordLimits } from '../util/limits.js';
import { cutText } from '../util/text.js';
/** Builds the error a definition's mistake throws: a component's or a modal's, named for what it is. */
export type DefinitionError = (where: string, problem: string) => Error;

/** Discord's limit on a component's or modal's custom id. */

/** The `{name}` parts of a template, as a union of names (`never` for an exact id). */
type TemplateNames<T extends string> = T extends `${string}{${infer Name}}${infer Rest}` ? Name | TemplateNames<Rest> : never;

/**
 * The parameters a custom id template names: `'delete:{id}'` gives `{ id: string }`, an exact id `{}`. The names
 * are collected first: `keyof Record<string, never>` is `string`, which would widen every template to any key.
 */
export type TemplateParams<T extends string> = string extends T
  ? Readonly<Record<string, string>>
  : { readonly [K in TemplateNames<T>]: string };

/** How a handler is matched: an exact custom id, a template with `{name}` parts, or a regular expression (named groups become params). */
export type CustomIdPattern = string | RegExp;

/** The params a pattern yields to its handler. */
export type ParamsOf<P extends CustomIdPattern> = P extends string ? TemplateParams<P> : Readonly<Record<string, string>>;

const PARAM = /\{([A-Za-z_$][\w$]*)\}/g;

/**
 * A compiled pattern: `match` gives the params of a custom id it accepts (or `undefined`), `build` makes the
 * custom id for given params. An exact id is kept as a string so routing can look it up in a map.
 */
export class CustomIdMatcher {
  /** The pattern as written: how Error events name the handler (`button delete:{id}`). */
  readonly label: string;
  /** The custom id when the pattern has no parameters. */
  readonly exact: string | undefined;
  readonly #regex: RegExp | undefined;
  readonly #names: readonly string[];

  constructor(pattern: CustomIdPattern, where: string, definitionError: DefinitionError) {
    if (pattern instanceof RegExp) {
      this.label = pattern.source;
      this.exact = undefined;
      this.#regex = new RegExp(pattern.source, pattern.flags.replaceAll('g', '').replaceAll('y', ''));
      this.#names = [];
      return;
    }
    if (typeof pattern !== 'string' || pattern.length === 0)
      throw definitionError(where, '`customId` must be a non-empty string or a RegExp');
    if (pattern.length > DiscordLimits.customId)
      throw definitionError(where, `customId "${pattern}" is longer than ${String(DiscordLimits.customId)} characters`);
    this.label = pattern;
    this.#names = [...pattern.matchAll(PARAM)].map((m) => m[1] ?? '');
    if (new Set(this.#names).size !== this.#names.length) throw definitionError(where, `customId "${pattern}" names a parameter twice`);
    if (this.#names.length === 0) {
      this.exact = pattern;
      this.#regex = undefined;
      return;
    }
    this.exact = undefined;
    const parts = pattern.split(PARAM).map((part, index) => (index % 2 === 1 ? '(.+?)' : escapeRegExp(part)));
    this.#regex = new RegExp(`^${parts.join('')}$`, 's');
  }

  match(customId: string): Record<string, string> | undefined {
    if (this.exact !== undefined) return customId === this.exact ? {} : undefined;
    const found = this.#regex?.exec(customId);
    if (!found) return undefined;
    if (this.#names.length === 0) return { ...found.groups };
    return Object.fromEntries(this.#names.map((name, index) => [name, found[index + 1] ?? '']));
  }

  /**
   * The custom id for `params`; throws when one is missing, when the id would pass Discord's 100 characters, or when
   * it would not parse back into the same params.
   */
  build(params: Readonly<Record<string, string | number>> = {}): string {
    if (this.exact !== undefined) return this.exact;
    if (this.#regex && this.#names.length === 0)
      throw new TypeError(`A handler matched by the RegExp /${this.label}/ cannot build a custom id; write it yourself`);
    const id = this.label.replace(PARAM, (_, name: string) => {
      const value = params[name];
      if (value === undefined || String(value) === '') throw new TypeError(`Custom id "${this.label}" needs a value for {${name}}`);
      return String(value);
    });
    if (id.length > DiscordLimits.customId) {
      const limit = String(DiscordLimits.customId);
      throw new RangeError(`Custom id "${cutText(id, 40)}…" is ${String(id.length)} characters; Discord allows ${limit}`);
    }
    // A value holding the text that follows its part (`a:b` in `delete:{id}:{page}`) would come back split differently.
    const parsed = this.match(id);
    if (this.#names.some((name) => parsed?.[name] !== String(params[name])))
      throw new TypeError(
        `Custom id "${this.label}": the values ${JSON.stringify(params)} would not be read back as given; keep the separators out of them`,
      );
    return id;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
