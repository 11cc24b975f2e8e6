/** One behaviour contract for report stores, links fetched over real HTTP. */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportStore } from '../../core/ports/report-store.ts';

export interface ReportStoreFixture {
  readonly store: ReportStore;
  close(): Promise<void>;
}

const text = new TextDecoder();

export function reportStoreContract(name: string, setup: () => Promise<ReportStoreFixture>): void {
  describe(`${name} report store`, () => {
    let fixture: ReportStoreFixture;
    let store: ReportStore;
    const run = () => `runs/${randomUUID()}`;
    beforeAll(async () => {
      fixture = await setup();
      store = fixture.store;
    });
    afterAll(() => fixture.close());

    it('round-trips text and bytes with their content type, and overwrites on a second put', async () => {
      const base = run();
      await store.put(`${base}/report.md`, '# Root cause\nmissing env', 'text/markdown; charset=utf-8');
      await store.put(`${base}/blob.bin`, new Uint8Array([0, 1, 2, 255]), 'application/octet-stream');
      const md = await store.get(`${base}/report.md`);
      expect(md?.contentType).toBe('text/markdown; charset=utf-8');
      expect(text.decode(md?.body)).toBe('# Root cause\nmissing env');
      expect([...((await store.get(`${base}/blob.bin`))?.body ?? [])]).toEqual([0, 1, 2, 255]);
      await store.put(`${base}/report.md`, 'v2', 'text/plain');
      expect(text.decode((await store.get(`${base}/report.md`))?.body)).toBe('v2');
    });

    it('returns undefined for a missing key and lists by prefix', async () => {
      const base = run();
      expect(await store.get(`${base}/nothing`)).toBeUndefined();
      await store.put(`${base}/a/1.json`, '{}', 'application/json');
      await store.put(`${base}/a/2.json`, '{}', 'application/json');
      await store.put(`${base}/b.json`, '{}', 'application/json');
      expect(await store.list(`${base}/a/`)).toEqual([`${base}/a/1.json`, `${base}/a/2.json`]);
      expect(await store.list(`${base}/`)).toHaveLength(3);
    });

    it('rejects keys that could escape or confuse paths', async () => {
      for (const key of ['', '/abs', 'a/../b', 'a//b', 'a/./b', 'bad\nkey', 'back\\slash']) {
        await expect(store.put(key, 'x', 'text/plain'), key).rejects.toThrow(/invalid report key/);
      }
    });

    it('serves a read link over HTTP', async () => {
      const key = `${run()}/report.html`;
      await store.put(key, '<h1>ok</h1>', 'text/html; charset=utf-8');
      const response = await fetch(await store.readLink(key, 300));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await response.text()).toBe('<h1>ok</h1>');
    });

    it('refuses an expired read link', async () => {
      const key = `${run()}/report.html`;
      await store.put(key, 'secret-ish', 'text/plain');
      const link = await store.readLink(key, 1);
      await sleep(2_100);
      const response = await fetch(link);
      expect(response.status).toBe(403);
      expect(await response.text()).not.toContain('secret-ish');
    });

    it('refuses a tampered link', async () => {
      const key = `${run()}/report.html`;
      await store.put(key, 'x', 'text/plain');
      const link = new URL(await store.readLink(key, 300));
      link.pathname = link.pathname.replace('report.html', 'other.html');
      expect((await fetch(link)).status).toBe(403);
    });

    it('accepts an upload through an upload link, for that key and content type only', async () => {
      const base = run();
      const link = await store.uploadLink(`${base}/transcript.jsonl`, 'application/x-ndjson', 300);
      const put = await fetch(link, {
        method: 'PUT',
        body: '{"a":1}\n',
        headers: { 'content-type': 'application/x-ndjson' },
      });
      expect(put.status).toBe(200);
      const stored = await store.get(`${base}/transcript.jsonl`);
      expect(text.decode(stored?.body)).toBe('{"a":1}\n');
      expect(stored?.contentType).toBe('application/x-ndjson');

      const elsewhere = new URL(link);
      elsewhere.pathname = elsewhere.pathname.replace('transcript.jsonl', 'evil.html');
      const hijack = await fetch(elsewhere, {
        method: 'PUT',
        body: '<script>',
        headers: { 'content-type': 'application/x-ndjson' },
      });
      expect(hijack.status).toBe(403);
      expect(await store.get(`${base}/evil.html`)).toBeUndefined();
      const retyped = await fetch(link, {
        method: 'PUT',
        body: '<script>',
        headers: { 'content-type': 'text/html' },
      });
      expect(retyped.status).toBe(403);
    });

    it('rejects link lifetimes outside 1 second to 7 days', async () => {
      await expect(store.readLink('a', 0)).rejects.toThrow(/between 1 and 604800/);
      await expect(store.readLink('a', 604_801)).rejects.toThrow(/between 1 and 604800/);
    });
  });
}
