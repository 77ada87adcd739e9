import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useHarness } from '../../tests/setup/harness';
import { parseDate } from './import.service';

const h = useHarness();
const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../../tests/fixtures', name));

async function upload(token: string, file: { name: string; bytes: Uint8Array | string }, opts: { preset?: string; mapping?: unknown; commit?: boolean; extra?: Record<string, string> } = {}) {
  const form = new FormData();
  form.set('file', new File([file.bytes as BlobPart], file.name));
  if (opts.preset) form.set('preset', opts.preset);
  if (opts.mapping) form.set('mapping', JSON.stringify(opts.mapping));
  for (const [k, v] of Object.entries(opts.extra ?? {})) form.set(k, v);
  const res = await h.app.request(`/api/import/orders${opts.commit ? '?commit=true' : ''}`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  return { status: res.status, body: (await res.json()) as any };
}

const orderCount = async () => Number((await h.deps.db.selectFrom('orders').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

describe('order import', () => {
  it('a dry run of the D365 export previews two orders with their lines and writes nothing; the commit creates them as one audited import', async () => {
    const { accessToken } = await h.login('manager');
    const before = await orderCount();
    const file = { name: 'd365-sales-order-lines.xlsx', bytes: fixture('d365-sales-order-lines.xlsx') };
    const dry = await upload(accessToken, file, { preset: 'd365' });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ committed: false, rowCount: 3, errorCount: 0, orders: 2 });
    expect(dry.body.rows[0].values).toMatchObject({ externalRef: 'SO-004711', customerName: 'Volvo Cars Torslanda', dueDate: '2026-12-18', sku: 'BRK-100', quantity: 1200 });
    expect(dry.body.rows[2].values.dueDate).toBe('2027-01-08');
    expect(await orderCount()).toBe(before);

    const done = await upload(accessToken, file, { preset: 'd365', commit: true });
    expect(done.status).toBe(201);
    expect(done.body.orderCount).toBe(2);
    expect(await orderCount()).toBe(before + 2);
    const so = await h.deps.db.selectFrom('orders').selectAll().where('externalRef', '=', 'SO-004711').executeTakeFirstOrThrow();
    expect(so).toMatchObject({ source: 'import', status: 'draft', customerName: 'Volvo Cars Torslanda', dueDate: '2026-12-18' });
    const items = await h.deps.db.selectFrom('orderItems').selectAll().where('orderId', '=', so.id).execute();
    expect(items.map((i) => Number(i.quantity)).sort((a, b) => a - b)).toEqual([1200, 5000]);
    const stages = await h.deps.db.selectFrom('stages').selectAll().where('orderId', '=', so.id).execute();
    expect(stages.length).toBe(4); // BRK-100: 3 stages, CLP-400: 1
    const audit = await h.deps.db.selectFrom('auditLog').selectAll().where('mutationName', '=', 'import.orders').execute();
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0].after!)).toMatchObject({ orders: 2, lines: 3, preset: 'd365' });

    const again = await upload(accessToken, file, { preset: 'd365', commit: true });
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('import_has_errors');
    expect(JSON.stringify(again.body.error.details)).toContain('duplicate external reference');
    expect(await orderCount()).toBe(before + 2);
  });

  it('names each bad row: bad date, unknown product, missing and fractional quantity, and a commit with errors writes nothing', async () => {
    const { accessToken } = await h.login('manager');
    const before = await orderCount();
    const file = { name: 'orders-with-errors.csv', bytes: fixture('orders-with-errors.csv') };
    const dry = await upload(accessToken, file);
    expect(dry.status).toBe(200);
    const errs = Object.fromEntries(dry.body.rows.map((r: any) => [r.values.externalRef, r.errors.map((e: any) => e.message).join('; ')]));
    expect(errs['PO-6001']).toBe('');
    expect(errs['PO-6002']).toContain('is not a date');
    expect(errs['PO-6003']).toContain('unknown product "NOPE-999"');
    expect(errs['PO-6004']).toContain('quantity is missing');
    expect(errs['PO-6005']).toContain('not a whole number');
    const commit = await upload(accessToken, file, { commit: true });
    expect(commit.status).toBe(400);
    expect(commit.body.error.message).toContain('4 of 5 rows have errors');
    expect(await orderCount()).toBe(before);
  });

  it('the generic CSV groups lines by order reference and keeps quoted commas', async () => {
    const { accessToken } = await h.login('manager');
    const r = await upload(accessToken, { name: 'orders-generic.csv', bytes: fixture('orders-generic.csv') }, { commit: true });
    expect(r.status).toBe(201);
    expect(r.body.orderCount).toBe(2);
    const o = await h.deps.db.selectFrom('orders').selectAll().where('externalRef', '=', 'PO-5002').executeTakeFirstOrThrow();
    expect(o.customerName).toBe('Electrolux, Stockholm');
    expect(o.notes).toBe('Pack in 500s');
  });

  it('refuses a wrong file type, an empty sheet, formulas and error cells, a 10 MB file, a bad mapping and an operator — and writes nothing', async () => {
    const { accessToken } = await h.login('manager');
    const op = await h.login('operator.press');
    const before = await orderCount();
    const pdf = await upload(accessToken, { name: 'orders.pdf', bytes: '%PDF-1.4' });
    expect(pdf).toMatchObject({ status: 400, body: { error: { code: 'validation_failed', message: 'Only .xlsx and .csv files can be imported.' } } });
    const fake = await upload(accessToken, { name: 'orders.xlsx', bytes: 'Order ref,Customer\n' });
    expect(fake.body.error.message).toContain('not an Excel workbook');
    const empty = await upload(accessToken, { name: 'empty.xlsx', bytes: fixture('empty.xlsx') });
    expect(empty.body.error.message).toBe('The sheet is empty.');
    const formulas = await upload(accessToken, { name: 'formulas.xlsx', bytes: fixture('formulas.xlsx') }, { commit: true });
    expect(formulas.status).toBe(400);
    expect(JSON.stringify(formulas.body.error.details)).toContain('cell E2 holds a formula');
    expect(JSON.stringify(formulas.body.error.details)).toContain('cell E3 holds an error (#REF!)');
    const huge = await upload(accessToken, { name: 'big.csv', bytes: 'x'.repeat(10 * 1024 * 1024) });
    expect(huge).toMatchObject({ status: 413, body: { error: { code: 'payload_too_large' } } });
    const badMap = await upload(accessToken, { name: 'd365.xlsx', bytes: fixture('d365-sales-order-lines.xlsx') }, { preset: 'generic' });
    expect(badMap.status).toBe(400);
    expect(badMap.body.error.details.map((d: any) => d.field)).toContain('mapping.sku');
    const remapped = await upload(accessToken, { name: 'd365.xlsx', bytes: fixture('d365-sales-order-lines.xlsx') }, { preset: 'generic', mapping: { externalRef: 'Sales order', customerName: 'Customer name', dueDate: 'Requested ship date', sku: 'Item number', quantity: 'Quantity' } });
    expect(remapped.status).toBe(200);
    // The columns now fit; the generic preset reads 12/18/2026 day-first, which is no date.
    expect(remapped.body.rows[0].errors).toEqual([{ field: 'dueDate', message: '"12/18/2026" is not a date' }]);
    const unknownField = await upload(accessToken, { name: 'orders-generic.csv', bytes: fixture('orders-generic.csv') }, { extra: { sneaky: '1' } });
    expect(unknownField.body.error.code).toBe('validation_failed');
    const forbidden = await upload(op.accessToken, { name: 'orders-generic.csv', bytes: fixture('orders-generic.csv') }, { commit: true });
    expect(forbidden.status).toBe(403);
    expect(await orderCount()).toBe(before);
  });

  it('reads ISO, day-first and month-first dates and Excel serials, and refuses impossible ones', () => {
    expect(parseDate('2026-12-01', 'dmy')).toBe('2026-12-01');
    expect(parseDate('01/12/2026', 'dmy')).toBe('2026-12-01');
    expect(parseDate('12/01/2026', 'mdy')).toBe('2026-12-01');
    expect(parseDate(46357, 'mdy')).toBe('2026-12-01');
    expect(parseDate('2026-02-30', 'dmy')).toBeNull();
    expect(parseDate('tomorrow', 'dmy')).toBeNull();
  });
});
