/**
 * `npm run bench:profile -- <file.cpuprofile>...`: where a bot's CPU time went, from the V8 profiles that
 * `npm run bench -- --cpu-prof` writes. Prints self time by package and the functions that cost most.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const TOP_FUNCTIONS = 25;

/** The package (or part of Node) a script belongs to: what a reader can act on. */
function areaOf(url: string): string {
  if (url === '') return '(native: GC, program)';
  if (url.startsWith('node:')) return 'node internals';
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inModules) return inModules[1] ?? url;
  if (url.includes('/dist/')) return 'lantern (dist)';
  if (url.includes('/bench/')) return 'bench bot';
  return url;
}

function summarise(file: string): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfByFunction = new Map<string, number>();
  const selfByArea = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const micros = profile.timeDeltas[i] ?? 0;
    if (!node) return;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') return;
    total += micros;
    const where =
      url === '' ? '' : ` ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(dist|bench)\//, '$1/')}:${String(lineNumber + 1)}`;
    const key = `${functionName || '(anonymous)'}${where}`;
    selfByFunction.set(key, (selfByFunction.get(key) ?? 0) + micros);
    const area = areaOf(url);
    selfByArea.set(area, (selfByArea.get(area) ?? 0) + micros);
  });
  const share = (micros: number): string => `${((micros / total) * 100).toFixed(1).padStart(5)} %`;
  const sorted = (map: Map<string, number>): [string, number][] => [...map].sort((a, b) => b[1] - a[1]);
  console.log(`${basename(file)}: ${(total / 1000).toFixed(0)} ms of CPU (idle excluded)\n\nself time by package`);
  for (const [area, micros] of sorted(selfByArea)) console.log(`${share(micros)}  ${area}`);
  console.log(`\nfunctions with the most self time`);
  for (const [name, micros] of sorted(selfByFunction).slice(0, TOP_FUNCTIONS)) console.log(`${share(micros)}  ${name}`);
  console.log('');
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('Usage: npm run bench:profile -- <file.cpuprofile>... (write them with npm run bench -- --cpu-prof)');
  process.exitCode = 1;
}
for (const file of files) summarise(file);
