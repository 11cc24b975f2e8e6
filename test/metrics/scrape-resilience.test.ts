/**
 * What an operator's Prometheus sees when the database goes away: the scrape still answers, with the process
 * metrics and the counters, while the gauges read from the store are empty (not stale) and a warning says why.
 * Also: a scrape does not grow the series, however often it runs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createMetricsRegistry } from '../../bot/metrics/metrics-registry.ts';
import { systemClock } from '../../core/ports/clock.ts';
import { defaultIncidentSettings } from '../../core/services/incident-settings.ts';
import { openStore } from '../../core/store/open-store.ts';
import { makeFault, makeIncident } from '../fixtures/domain.ts';
import { recordingLogger } from '../fixtures/recording-logger.ts';
import { readExposition, value } from './exposition.ts';

describe('scraping /metrics', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it(
    'still answers when the store cannot be read, with its gauges empty and a warning',
    { timeout: 120_000 },
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'wk-metrics-'));
      dirs.push(dir);
      const store = await openStore({ kind: 'pglite', dataDir: dir });
      const logger = recordingLogger();
      const registry = createMetricsRegistry();
      registry.addStateGauges({
        store,
        clock: systemClock,
        breaker: defaultIncidentSettings.breaker,
        listeners: () => [{ name: 'events', status: 'waiting' }],
        logger,
      });
      await store.incidents.create(makeIncident());
      registry.metrics.faultSettled(makeFault(), 'new');

      const healthy = readExposition((await registry.render()).body);
      expect(value(healthy, 'watchkeeper_open_incidents', { state: 'detected' })).toBe(1);
      expect(value(healthy, 'watchkeeper_triage_breaker_state', { state: 'closed' })).toBe(1);
      const seriesBefore = healthy.text.split('\n').filter((line) => line.startsWith('watchkeeper_')).length;
      for (let i = 0; i < 5; i += 1) await registry.render();
      const again = readExposition((await registry.render()).body);
      expect(again.text.split('\n').filter((line) => line.startsWith('watchkeeper_')).length).toBe(
        seriesBefore,
      );

      await store.close();
      const started = Date.now();
      const down = readExposition((await registry.render()).body);
      expect(Date.now() - started).toBeLessThan(5_000); // a dead store does not hold the scrape
      expect(down.families.get('watchkeeper_open_incidents')?.metrics).toEqual([]);
      expect(down.families.get('watchkeeper_triage_breaker_state')?.metrics).toEqual([]);
      expect(down.families.get('watchkeeper_work_queue_depth')?.metrics).toEqual([]);
      // what does not come from the store is still there
      expect(value(down, 'watchkeeper_faults_received_total', { outcome: 'new' })).toBe(1);
      expect(value(down, 'watchkeeper_mcp_listener_connected', { server: 'events' })).toBe(0);
      expect(value(down, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
      const warnings = logger.lines.filter((line) => line.level === 'warn').map((line) => line.message);
      expect(warnings).toEqual(
        expect.arrayContaining([
          'metrics: could not read incidents by state; watchkeeper_open_incidents is empty for this scrape',
        ]),
      );
    },
  );

  it('counts a Slack method name it does not know as `other`, so a bad URL cannot add series', () => {
    const registry = createMetricsRegistry();
    registry.metrics.slackCall('chat.postMessage', 'ok');
    registry.metrics.slackCall('../../etc/passwd', 'error');
    registry.metrics.slackCall(`chat.${'x'.repeat(500)}?token=xoxb-1`, 'error');
    return registry.render().then(({ body }) => {
      const scraped = readExposition(body);
      expect(
        value(scraped, 'watchkeeper_slack_api_requests_total', { method: 'other', result: 'error' }),
      ).toBe(2);
      expect(body).not.toContain('passwd');
      expect(body).not.toContain('xoxb');
    });
  });
});
