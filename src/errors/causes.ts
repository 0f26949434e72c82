/** How deep causes (and an `AggregateError`'s members) are followed; a cycle or a pathological chain stops here. */
export const MAX_CAUSE_DEPTH = 8;

/** The error and its `cause`s, outermost first, each once, at most `MAX_CAUSE_DEPTH` of them. */
export function causeChain(error: Error): Error[] {
  const chain: Error[] = [];
  let current: unknown = error;
  while (current instanceof Error && chain.length < MAX_CAUSE_DEPTH && !chain.includes(current)) {
    chain.push(current);
    current = current.cause;
  }
  return chain;
}

/** One error of an error tree, in the order a traceback shows it: each error, then its members, then its cause. */
export interface ErrorTreeNode {
  readonly value: unknown;
  /** How it hangs from the error above it: `''` for the root, `Caused by: `, or `[i] ` for a member of an AggregateError. */
  readonly label: string;
  readonly depth: number;
  /** How many AggregateError members deep it is, among its depth. */
  readonly memberDepth: number;
  /** Already shown above it in the tree: not followed again. */
  readonly circular: boolean;
}

/**
 * The error, its AggregateError members and its causes, depth first, for a traceback or a log entry to lay out. A
 * value seen before is a `circular` node and is not followed; nothing deeper than `maxDepth` is.
 */
export function errorTree(error: unknown, maxDepth: number): ErrorTreeNode[] {
  const nodes: ErrorTreeNode[] = [];
  const seen = new Set<unknown>();
  const walk = (value: unknown, label: string, depth: number, memberDepth: number): void => {
    const circular = seen.has(value);
    nodes.push({ value, label, depth, memberDepth, circular });
    seen.add(value);
    if (circular || !(value instanceof Error) || depth >= maxDepth) return;
    if (value instanceof AggregateError)
      for (const [i, inner] of (value.errors as unknown[]).entries()) walk(inner, `[${String(i)}] `, depth + 1, memberDepth + 1);
    if (value.cause !== undefined) walk(value.cause, 'Caused by: ', depth + 1, memberDepth);
  };
  walk(error, '', 0, 0);
  return nodes;
}
