/** The metrics a PromQL expression selects, with the label names it matches on, read by Prometheus's own grammar. */
import { parser } from '@prometheus-io/lezer-promql';

export interface SelectorReference {
  readonly metric: string;
  readonly labels: readonly string[];
}

/** Grafana's interval variables stand for durations; anything else of Grafana's is a label value in a string. */
const grafanaDurations = /\$__(rate_interval|interval|range)\b/g;

export function promqlReferences(expression: string): {
  readonly selectors: readonly SelectorReference[];
  readonly syntaxErrors: readonly string[];
} {
  const expr = expression.replace(grafanaDurations, '5m');
  const selectors: SelectorReference[] = [];
  const syntaxErrors: string[] = [];
  const cursor = parser.parse(expr).cursor();
  do {
    if (cursor.type.isError)
      syntaxErrors.push(`at ${cursor.from}: ${expr.slice(cursor.from, cursor.from + 30)}`);
    if (cursor.name !== 'VectorSelector') continue;
    const node = cursor.node;
    const metric = node.getChild('Identifier');
    const labels = node
      .getChild('LabelMatchers')
      ?.getChildren('UnquotedLabelMatcher')
      .flatMap((matcher) => {
        const name = matcher.getChild('LabelName');
        return name ? [expr.slice(name.from, name.to)] : [];
      });
    if (metric) selectors.push({ metric: expr.slice(metric.from, metric.to), labels: labels ?? [] });
  } while (cursor.next());
  return { selectors, syntaxErrors };
}
