/**
 * Scrapes a Watchkeeper's /metrics and reads the exposition through a real parser of the text format.
 * The parser folds a labelled histogram into one sample without its labels (it handles unlabelled ones only),
 * so histograms are read as PromQL sees them: their `_bucket`, `_sum` and `_count` series, each with its labels.
 */
import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';

export interface Scrape {
  readonly text: string;
  /** By name; a histogram `h` appears as `h_bucket`, `h_sum` and `h_count` (and as `h` when it has no samples). */
  readonly families: ReadonlyMap<string, ParsedFamily>;
  /** Each family's declared type (`# TYPE`), histograms included. */
  readonly types: ReadonlyMap<string, string>;
}

export function readExposition(text: string): Scrape {
  const types = new Map<string, string>();
  for (const match of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) types.set(match[1] ?? '', match[2] ?? '');
  const flat = text.replace(/^# TYPE (\S+) histogram$/gm, '# TYPE $1 untyped');
  // a histogram's series interleave (bucket, sum, count per label set), so the same name comes back in runs
  const families = new Map<string, ParsedFamily>();
  for (const family of parsePrometheusTextFormat(flat)) {
    const seen = families.get(family.name);
    families.set(family.name, seen ? { ...seen, metrics: [...seen.metrics, ...family.metrics] } : family);
  }
  return { text, types, families };
}

export async function scrape(baseUrl: string): Promise<Scrape> {
  const response = await fetch(`${baseUrl}/metrics`);
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  const contentType = response.headers.get('content-type') ?? '';
  if (!contentType.startsWith('text/plain; version=0.0.4'))
    throw new Error(`/metrics has content type ${contentType}, not the Prometheus text format`);
  return readExposition(await response.text());
}

/** Whether a PromQL selector of `name` finds a series family (a histogram's suffixed series included). */
export function hasMetric(scraped: Scrape, name: string): boolean {
  if (scraped.types.has(name) && scraped.types.get(name) !== 'histogram') return true;
  const histogram = /^(.+)_(bucket|sum|count)$/.exec(name)?.[1];
  return histogram !== undefined && scraped.types.get(histogram) === 'histogram';
}

const matches = (labels: Readonly<Record<string, string>> | undefined, want: Record<string, string>) =>
  Object.entries(want).every(([name, value]) => labels?.[name] === value);

function family(scraped: Scrape, name: string): ParsedFamily {
  const found = scraped.families.get(name);
  if (!found) throw new Error(`${name} is not in the exposition`);
  return found;
}

/** The sum of the samples of `name` whose labels include `labels` (0 when none match). */
export function value(scraped: Scrape, name: string, labels: Record<string, string> = {}): number {
  return family(scraped, name)
    .metrics.filter((sample) => matches(sample.labels, labels))
    .reduce((sum, sample) => sum + Number(sample.value), 0);
}

/** Every label set `name` has a sample for. */
export function labelSets(scraped: Scrape, name: string): Readonly<Record<string, string>>[] {
  return family(scraped, name).metrics.map((sample) => sample.labels ?? {});
}

/** A histogram's observation count and sum over the series whose labels include `labels`. */
export function histogram(
  scraped: Scrape,
  name: string,
  labels: Record<string, string> = {},
): { count: number; sum: number } {
  if (scraped.types.get(name) !== 'histogram') throw new Error(`${name} is not a histogram`);
  return { count: value(scraped, `${name}_count`, labels), sum: value(scraped, `${name}_sum`, labels) };
}
