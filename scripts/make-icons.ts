// Renders the app icons (192, 512 and a maskable 512 PNG) into public/ with headless Chromium,
// so the icons come from one SVG drawing instead of hand-made binaries. Run: tsx scripts/make-icons.ts
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';

const OUT = resolve(import.meta.dirname, '../public');

/** Safety-yellow "B" on charcoal; `pad` shrinks the mark into the maskable safe zone (80 % circle). */
function svg(size: number, pad: number, round: boolean) {
  const inner = size * (1 - 2 * pad);
  const o = size * pad;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}">
  <rect width="${size}" height="${size}" rx="${round ? size * 0.18 : 0}" fill="#16181d"/>
  <g transform="translate(${o} ${o}) scale(${inner / 100})">
    <rect x="8" y="8" width="84" height="84" rx="10" fill="#ffcc00"/>
    <path d="M8 78 L22 92 L8 92 Z M78 8 L92 8 L92 22 Z" fill="#16181d"/>
    <text x="50" y="74" text-anchor="middle" font-family="DejaVu Sans, Arial, sans-serif" font-weight="900" font-size="66" fill="#16181d">B</text>
  </g>
</svg>`;
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
try {
  for (const [file, size, pad, round] of [
    ['icon-192.png', 192, 0.04, true], ['icon-512.png', 512, 0.04, true], ['icon-maskable-512.png', 512, 0.14, false],
    ['apple-touch-icon.png', 180, 0.06, false],
  ] as const) {
    const page = await browser.newPage({ viewport: { width: size, height: size } });
    await page.setContent(`<html><body style="margin:0;background:transparent">${svg(size, pad, round)}</body></html>`);
    await page.screenshot({ path: resolve(OUT, file), omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
    await page.close();
  }
  const favicon = svg(64, 0.02, true);
  const { writeFileSync } = await import('node:fs');
  writeFileSync(resolve(OUT, 'favicon.svg'), favicon);
} finally {
  await browser.close();
}
