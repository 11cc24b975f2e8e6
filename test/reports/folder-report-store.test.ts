import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { startHttpServer } from '../../bot/http/http-server.ts';
import { createFolderLinkHandler } from '../../runners/reports/folder-link-handler.ts';
import { createFolderReportStore } from '../../runners/reports/folder-report-store.ts';
import { silentLogger } from '../fixtures/logger.ts';
import { reportStoreContract } from './report-store-contract.ts';

async function folderFixture() {
  const root = await mkdtemp(join(tmpdir(), 'wk-reports-'));
  let baseUrl = '';
  const store = createFolderReportStore({
    root,
    baseUrl: () => baseUrl,
    signingKey: randomBytes(32).toString('hex'),
  });
  const server = await startHttpServer({ host: '127.0.0.1', port: 0, logger: silentLogger });
  server.use(createFolderLinkHandler(store));
  baseUrl = server.url;
  return {
    store,
    url: server.url,
    close: async () => {
      await server.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

reportStoreContract('local folder', folderFixture);

it('serves report pages so that nothing in them can run', async () => {
  const fixture = await folderFixture();
  try {
    await fixture.store.put('r/report.html', '<script>alert(1)</script>', 'text/html');
    const response = await fetch(await fixture.store.readLink('r/report.html', 60));
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'.*sandbox/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await fetch(`${fixture.url}/reports/r/report.html`)).status).toBe(403);
  } finally {
    await fixture.close();
  }
});
