type Step = { readonly text: string } | { readonly value: unknown } | { readonly leave: object };

/**
 * `JSON.stringify` without recursion, for payloads nested deeper than the call stack allows (V8's own stringify
 * overflows at a few thousand levels; its parser, which discord.js uses, does not). Same output for JSON data:
 * `toJSON` is honoured, `undefined` and functions are left out of objects and become `null` in arrays, non-finite
 * numbers become `null`; a cycle or a bigint throws a TypeError, as with `JSON.stringify`.
 */
export function stringifyDeep(value: unknown): string {
  const out: string[] = [];
  const open = new Set<object>();
  const stack: Step[] = [{ value }];
  while (stack.length > 0) {
    const step = stack.pop() as Step;
    if ('text' in step) {
      out.push(step.text);
      continue;
    }
    if ('leave' in step) {
      open.delete(step.leave);
      continue;
    }
    let current = step.value;
    if (typeof current === 'object' && current !== null && typeof (current as { toJSON?: unknown }).toJSON === 'function')
      current = (current as { toJSON: () => unknown }).toJSON();
    if (typeof current === 'bigint') throw new TypeError('Do not know how to serialize a BigInt');
    if (typeof current !== 'object' || current === null) {
      out.push(isOmitted(current) ? 'null' : JSON.stringify(current));
      continue;
    }
    if (open.has(current)) throw new TypeError('Converting circular structure to JSON');
    open.add(current);
    const steps: Step[] = [];
    if (Array.isArray(current)) {
      steps.push({ text: '[' });
      current.forEach((item: unknown, i) => steps.push(...(i === 0 ? [] : [{ text: ',' }]), { value: item }));
      steps.push({ text: ']' });
    } else {
      steps.push({ text: '{' });
      let first = true;
      for (const [key, item] of Object.entries(current)) {
        if (isOmitted(item)) continue;
        steps.push({ text: `${first ? '' : ','}${JSON.stringify(key)}:` }, { value: item });
        first = false;
      }
      steps.push({ text: '}' });
    }
    steps.push({ leave: current });
    for (let i = steps.length - 1; i >= 0; i--) stack.push(steps[i] as Step);
  }
  return out.join('');
}

function isOmitted(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}
