// Looking at pages by hand: `npx tsx scripts/screenshots.ts user:/path:width:height …` starts a demo
// server on a temp database, signs each user in with Chromium and writes /tmp/shot-*.png (plus a
// "-more" shot where the phone bar has a More button). Needs a built client (npm run build).
import { chromium } from 'playwright-core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnv } from '../server/env';
import { startServer } from '../server/server';
const dir = mkdtempSync(join(tmpdir(), 'shots-'));
const running = await startServer(loadEnv({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: `sqlite:${join(dir, 'b.sqlite')}`, SEED_DEMO: 'true', LOG_LEVEL: 'silent', JWT_SECRET: 'x'.repeat(40) }, dir));
const url = `http://localhost:${running.port}`;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
const shots = process.argv.slice(2);
for (const spec of shots) {
  const [user, path, w, h] = spec.split(':');
  const ctx = await browser.newContext({ viewport: { width: Number(w), height: Number(h) } });
  const page = await ctx.newPage();
  await page.goto(url + '/');
  await page.getByLabel(/user ?name/i).fill(user);
  await page.getByLabel(/password/i).fill('barron-demo-2026');
  await page.getByRole('button', { name: /sign in|log in/i }).click();
  await page.waitForTimeout(2500);
  await page.goto(url + path);
  await page.waitForTimeout(2000);
  await page.screenshot({ path: `/tmp/shot-${user}-${path.replace(/\//g, '_')}-${w}.png` });
  const more = page.getByRole('button', { name: 'More' });
  if (await more.isVisible()) {
    await more.click();
    await page.screenshot({ path: `/tmp/shot-${user}-${path.replace(/\//g, '_')}-${w}-more.png` });
  }
  await ctx.close();
}
await browser.close();
await running.close();
