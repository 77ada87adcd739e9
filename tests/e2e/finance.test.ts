// Finance in the browser: a manager builds a two-level BOM (a new revision with a bought component
// and a sub-assembly), activates it, reads the rolled-up cost and the product's margin, and is
// refused a cycle at save with the path named.
import { expect, it } from 'vitest';
import { goTo, screenshots, signIn, useAppAndBrowser } from './support';

const env = useAppAndBrowser();

it('a manager builds a two-level BOM, sees the rolled-up cost and margin, and a cycle is refused at save', async () => {
  const { ctx, page } = await signIn(env.browser, env.app.url, 'manager', 1440, 900);
  await goTo(page, 'Finance');
  await page.getByRole('heading', { name: 'Costs' }).waitFor();
  await page.getByRole('link', { name: 'HSG-200 — Pump housing cover' }).waitFor();
  await screenshots(page, 'finance-costs');
  await page.getByRole('link', { name: 'HSG-200 — Pump housing cover' }).click();
  await page.getByRole('heading', { name: 'BOM — HSG-200 Pump housing cover' }).waitFor();

  // A new, empty revision B with a bought cover plate and four spring clips (CLP-400 has its own BOM).
  await page.getByRole('button', { name: '+ New revision' }).click();
  await page.getByLabel('New revision name').fill('B');
  await page.getByRole('button', { name: 'Create' }).click();
  await page.getByRole('heading', { name: 'Revision B (not active)' }).waitFor();
  await page.getByRole('button', { name: '+ Add line' }).click();
  const one = page.getByRole('group', { name: 'Line 1' });
  await one.getByLabel('Component').fill('Cover plate');
  await one.getByLabel('Supplier').selectOption({ label: 'Nordic Steel AB' });
  await one.getByLabel('Quantity').fill('2');
  await one.getByLabel('Unit cost').fill('1.50');
  await page.getByRole('button', { name: '+ Add line' }).click();
  const two = page.getByRole('group', { name: 'Line 2' });
  await two.getByLabel('Line is').selectOption({ label: 'Sub-assembly' });
  await two.getByLabel('Sub-assembly').selectOption({ label: 'CLP-400 — Spring clip' });
  await two.getByLabel('Quantity').fill('4');
  await page.getByRole('button', { name: 'Save revision B' }).click();
  await page.getByText('Saved. The rolled-up cost below is updated.').waitFor();
  await page.getByRole('button', { name: 'Activate revision B' }).click();
  await page.getByRole('heading', { name: 'Revision B (active)' }).waitFor();

  // Cover plate 2 × 1.50 = 3.00; CLP-400 = strip 0.025 kg × 2.40 × 1.05 = 0.063 → 0.06 + labour 0.5 min at
  // 42.00/h = 0.35 → 0.41, × 4 = 1.64; material 4.64. Labour: 9 min over Press 240, Paint 300, Assembly 150
  // planned minutes at 42, 36 and 34 an hour = 5.65. Unit cost 10.29; sell price 18.50, margin 8.21 (44.4 %).
  await expect.poll(() => page.getByTestId('unit-cost').textContent()).toBe('10.29');
  expect(await page.getByTestId('material').textContent()).toBe('4.64');
  expect(await page.getByTestId('margin').textContent()).toBe('8.21 (44.4 %)');
  const tree = page.getByTestId('bom-tree');
  await tree.getByText('4 pcs × CLP-400 Spring clip at 0.41').waitFor();
  await tree.getByText('0.025 kg × Spring steel strip C75S at 2.40 + 5 % scrap').waitFor();
  await screenshots(page, 'finance-bom');

  // The clip now holding the housing would make the housing contain itself: refused at save.
  await page.getByRole('link', { name: 'All products' }).click();
  await page.getByRole('link', { name: 'CLP-400 — Spring clip' }).click();
  await page.getByRole('heading', { name: 'BOM — CLP-400 Spring clip' }).waitFor();
  await page.getByRole('button', { name: '+ Add line' }).click();
  const added = page.getByRole('group', { name: 'Line 2' });
  await added.getByLabel('Line is').selectOption({ label: 'Sub-assembly' });
  await added.getByLabel('Sub-assembly').selectOption({ label: 'HSG-200 — Pump housing cover' });
  await page.getByRole('button', { name: 'Save revision A' }).click();
  await expect.poll(() => page.getByTestId('bom-error').textContent()).toContain('This BOM would contain itself: CLP-400 → HSG-200 → CLP-400.');
  await added.getByText('Makes a cycle: CLP-400 → HSG-200 → CLP-400.').waitFor();
  await screenshots(page, 'finance-cycle');
  // Nothing was saved: after a reload the clip still has its one line.
  await page.reload();
  await page.getByRole('heading', { name: 'BOM — CLP-400 Spring clip' }).waitFor();
  await page.getByRole('group', { name: 'Line 1' }).waitFor();
  expect(await page.getByRole('group', { name: 'Line 2' }).count()).toBe(0);

  // The profitability page lists every product worst margin first, with its chart.
  await page.getByRole('navigation', { name: 'Finance' }).getByRole('link', { name: 'Profitability' }).click();
  await page.getByRole('heading', { name: 'Profitability' }).waitFor();
  await page.getByRole('figure').getByText(/Margin by product/).waitFor();
  const skus = await page.locator('table.data-table tbody tr td:first-child').allTextContents();
  expect(skus.length).toBeGreaterThanOrEqual(4);
  await screenshots(page, 'finance-profitability');
  await page.getByRole('navigation', { name: 'Finance' }).getByRole('link', { name: 'Suppliers' }).click();
  await page.getByText('FastFix Fasteners', { exact: true }).waitFor();
  await screenshots(page, 'finance-suppliers');
  await ctx.close();
}, 120_000);
