/** One runtime's Prometheus registry: Node's process metrics, Watchkeeper's own, and the exposition for /metrics. */
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Metrics } from '../../core/ports/metrics.ts';
import { createPromMetrics } from './prom-metrics.ts';
import { registerStateGauges, type StateGaugeSources } from './state-gauges.ts';

export interface MetricsExposition {
  readonly contentType: string;
  readonly body: string;
}

export interface MetricsRegistry {
  /** What the services record into. */
  readonly metrics: Metrics;
  /** Adds the gauges read at scrape time, once the store and the listeners exist. */
  addStateGauges(sources: StateGaugeSources): void;
  /** The Prometheus text exposition of everything registered. */
  render(): Promise<MetricsExposition>;
}

export function createMetricsRegistry(): MetricsRegistry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    metrics: createPromMetrics(registry),
    addStateGauges: (sources) => registerStateGauges(registry, sources),
    render: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
  };
}
