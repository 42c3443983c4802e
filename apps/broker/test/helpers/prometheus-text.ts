/** One sample of a Prometheus text exposition: name, labels, value. */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface PromScrape {
  /** `# TYPE` of each metric family. */
  types: Map<string, string>;
  samples: PromSample[];
  /** Sum of the samples named `name` whose labels include `labels`. */
  value(name: string, labels?: Record<string, string>): number | undefined;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses the Prometheus text format (0.0.4); throws on a line it does not understand. */
export function parsePrometheusText(text: string): PromScrape {
  const types = new Map<string, string>();
  const samples: PromSample[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('# TYPE ')) {
      const [name, type] = line.slice(7).split(' ');
      if (!name || !type) throw new Error(`bad TYPE line: ${line}`);
      types.set(name, type);
      continue;
    }
    if (line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not a Prometheus sample: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) labels[key!] = value!;
    const raw = match[3]!;
    const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw);
    if (Number.isNaN(value) && raw.toLowerCase() !== 'nan') throw new Error(`bad value in: ${line}`);
    samples.push({ name: match[1]!, labels, value });
  }
  return {
    types,
    samples,
    value(name, labels = {}) {
      const matching = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
      return matching.length === 0 ? undefined : matching.reduce((sum, s) => sum + s.value, 0);
    },
  };
}

/** Metric names listed in the README's metrics tables (first column, in backticks, starting with a prefix). */
export function documentedMetricNames(readme: string, prefix: string): string[] {
  const names = new Set<string>();
  for (const line of readme.split('\n')) {
    const match = /^\|\s*`([a-z_:][a-z0-9_:]*)`/.exec(line);
    if (match?.[1]?.startsWith(prefix)) names.add(match[1]);
  }
  return [...names];
}
