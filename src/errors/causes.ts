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
