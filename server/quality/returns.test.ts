// Customer returns (issue 11 §2): Quality, managers and admins take them in and move them; the
// department made responsible sees them; nobody else receives them. Real pushes and pulls, on
// SQLite and on MariaDB.
import { beforeEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../sync/ids';
import { useHarness } from '../../tests/setup/harness';
import { auditRows, devicePush, oneRow, tokenFor, userByName } from '../../tests/setup/helpers';

const h = useHarness();
const push = devicePush(h);
beforeEach(() => push.reset());

const today = () => new Date().toISOString().slice(0, 10);
async function product(sku = 'CLP-400') {
  return oneRow(h, 'products', { sku });
}
async function dept(code: string) {
  return oneRow(h, 'departments', { code });
}
async function take(by: string, fields: Record<string, unknown> = {}) {
  const id = uuidv7();
  const r = await push.send(by, 'return.create', { id, customerName: 'Bosch', productId: (await product()).id, quantity: 12, reason: 'Burrs on the clip edge', ...fields });
  return { id, r };
}
async function pulledIds(username: string) {
  const token = await tokenFor(h, username);
  const clientId = uuidv7();
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let hasMore = true; hasMore;) {
    const qs = new URLSearchParams({ clientId, limit: '500', ...(cursor ? { cursor } : {}) });
    const r = await h.call('GET', `/api/sync/pull?${qs}`, { token });
    expect(r.status).toBe(200);
    for (const c of r.body.changes) if (c.table === 'customerReturns' && c.row) ids.push(c.row.id);
    cursor = r.body.cursor;
    hasMore = r.body.hasMore;
  }
  return ids;
}

describe('taking in a return', () => {
  it('Quality takes one in: numbered by the server (RET-…), received today, seen by Quality; audited', async () => {
    const { id, r } = await take('quality.lead');
    expect(r.status).toBe('applied');
    const row = await oneRow(h, 'customerReturns', { id });
    expect(row).toMatchObject({ status: 'received', customerName: 'Bosch', quantity: 12, receivedAt: today(), departmentId: null, reportedBy: (await userByName(h, 'quality.lead')).id });
    expect(row.number).toMatch(/^RET-\d{6}$/);
    expect(JSON.parse(row.departmentIds)).toEqual([(await dept('QA')).id]);
    const [entry] = (await auditRows(h, 'return.create')).filter((a) => a.entityId === id);
    expect(entry).toMatchObject({ outcome: 'applied', entity: 'customerReturns' });
    expect(entry.after).toMatchObject({ status: 'received', quantity: 12 });
  });

  it('a Press supervisor or operator and a technician may not take one in; a manager and an admin may', async () => {
    expect((await take('supervisor.press')).r).toMatchObject({ status: 'rejected', code: 'forbidden' });
    expect((await take('operator.press')).r).toMatchObject({ status: 'rejected', code: 'forbidden' });
    expect((await take('technician')).r).toMatchObject({ status: 'rejected', code: 'forbidden' });
    expect((await take('manager')).r.status).toBe('applied');
    expect((await take('admin')).r.status).toBe('applied');
  });

  it('refuses negative, zero and fractional quantities, a future day, a product the order did not make — nothing written', async () => {
    const before = await h.deps.db.selectFrom('customerReturns').select('id').execute();
    for (const quantity of [-3, 0, 2.5]) {
      expect((await take('quality.lead', { quantity })).r).toMatchObject({ status: 'rejected', code: 'validation_failed', details: [{ field: 'quantity' }] });
    }
    expect((await take('quality.lead', { receivedAt: '2099-01-01' })).r).toMatchObject({ status: 'rejected', code: 'validation_failed', details: [{ field: 'receivedAt' }] });
    expect((await take('quality.lead', { customerName: ' ' })).r).toMatchObject({ status: 'rejected', code: 'validation_failed', details: [{ field: 'customerName' }] });
    const order = await oneRow(h, 'orders', { customerName: 'Atlas Copco' });
    const items = await h.deps.db.selectFrom('orderItems').select('productId').where('orderId', '=', order.id).execute();
    const other = await h.deps.db.selectFrom('products').select('id').where('id', 'not in', items.map((i) => i.productId)).executeTakeFirstOrThrow();
    expect((await take('quality.lead', { orderId: order.id, productId: other.id })).r).toMatchObject({ status: 'rejected', code: 'validation_failed', details: [{ field: 'productId' }] });
    expect((await take('quality.lead', { orderId: order.id, productId: items[0].productId })).r.status).toBe('applied');
    expect(await h.deps.db.selectFrom('customerReturns').select('id').execute()).toHaveLength(before.length + 1);
  });
});

describe('investigating, resolving, closing', () => {
  it('received → investigating → resolved (needs a root cause; credit ≥ 0, whole cents) → closed', async () => {
    const { id } = await take('quality.lead');
    expect((await push.send('quality.lead', 'return.transition', { id, from: 'received', to: 'investigating' })).status).toBe('applied');
    expect(await push.send('quality.lead', 'return.transition', { id, from: 'investigating', to: 'resolved' })).toMatchObject({ status: 'rejected', code: 'validation_failed', details: [{ field: 'rootCause' }] });
    expect(await push.send('quality.lead', 'return.transition', { id, from: 'investigating', to: 'resolved', rootCause: 'Worn die', creditValue: -5 })).toMatchObject({ status: 'rejected', code: 'validation_failed', details: [{ field: 'creditValue', message: 'cannot be negative' }] });
    expect(await push.send('quality.lead', 'return.transition', { id, from: 'investigating', to: 'resolved', rootCause: 'Worn die', creditValue: 1.005 })).toMatchObject({ status: 'rejected', code: 'validation_failed', details: [{ field: 'creditValue' }] });
    expect((await oneRow(h, 'customerReturns', { id })).status).toBe('investigating');
    expect((await push.send('quality.lead', 'return.transition', { id, from: 'investigating', to: 'resolved', rootCause: 'Worn die', correctiveAction: 'Regrind', creditValue: 240.5 })).status).toBe('applied');
    expect(await oneRow(h, 'customerReturns', { id })).toMatchObject({ status: 'resolved', rootCause: 'Worn die', correctiveAction: 'Regrind', creditValue: 240.5 });
    expect(await push.send('quality.lead', 'return.transition', { id, from: 'resolved', to: 'investigating' })).toMatchObject({ status: 'rejected', code: 'illegal_transition' });
    expect(await push.send('quality.lead', 'return.transition', { id, from: 'received', to: 'closed' })).toMatchObject({ status: 'rejected', code: 'illegal_transition' });
    expect((await push.send('manager', 'return.transition', { id, from: 'resolved', to: 'closed' })).status).toBe('applied');
    const closed = await oneRow(h, 'customerReturns', { id });
    expect(closed.status).toBe('closed');
    expect(closed.closedAt).toBeTruthy();
    expect((await auditRows(h, 'return.transition')).filter((a) => a.entityId === id && a.outcome === 'applied').map((a) => a.after.status)).toEqual(['investigating', 'resolved', 'closed']);
    // Closed is history.
    expect(await push.send('manager', 'return.update', { id, base: { reason: 'Burrs on the clip edge' }, changes: { reason: 'Other' } })).toMatchObject({ status: 'rejected', code: 'validation_failed' });
  });

  it('an edit merges field by field; a negative credit in an edit is refused', async () => {
    const { id } = await take('quality.lead');
    expect((await push.send('quality.lead', 'return.update', { id, base: { quantity: 12, creditValue: null }, changes: { quantity: 10, creditValue: 99.99 } })).status).toBe('applied');
    const stale = await push.send('manager', 'return.update', { id, base: { quantity: 12 }, changes: { quantity: 8 } });
    expect(stale).toMatchObject({ status: 'conflict', conflicts: [{ field: 'quantity' }] });
    expect(await oneRow(h, 'customerReturns', { id })).toMatchObject({ quantity: 10, creditValue: 99.99 });
    expect(await push.send('quality.lead', 'return.update', { id, base: { creditValue: 99.99 }, changes: { creditValue: -1 } })).toMatchObject({ status: 'rejected', code: 'validation_failed', details: [{ field: 'changes.creditValue' }] });
    expect(await push.send('quality.lead', 'return.update', { id, base: { quantity: 10 }, changes: { quantity: 1.5 } })).toMatchObject({ status: 'rejected', code: 'validation_failed' });
  });
});

describe('who receives a return', () => {
  it('Quality and managers do; the department made responsible does from then on, with the return\'s corrective actions; other departments never', async () => {
    const { id } = await take('quality.lead');
    const seen = async (u: string) => (await pulledIds(u)).includes(id);
    expect(await seen('quality.lead')).toBe(true);
    expect(await seen('manager')).toBe(true);
    for (const u of ['operator.press', 'supervisor.press', 'operator.paint', 'technician']) expect(await seen(u), u).toBe(false);
    // Sent by id from outside the scope, it reads as not found.
    expect(await push.send('supervisor.press', 'return.update', { id, base: { quantity: 12 }, changes: { quantity: 1 } })).toMatchObject({ status: 'rejected', code: 'not_found' });

    const action = uuidv7();
    expect((await push.send('quality.lead', 'action.create', { id: action, sourceType: 'return', sourceId: id, description: 'Deburr before packing', ownerId: (await userByName(h, 'quality.lead')).id, dueDate: today() })).status).toBe('applied');
    const press = await dept('PRS');
    expect((await push.send('quality.lead', 'return.update', { id, base: { departmentId: null }, changes: { departmentId: press.id } })).status).toBe('applied');
    expect(await seen('operator.press')).toBe(true);
    expect(await seen('supervisor.press')).toBe(true);
    expect(await seen('operator.paint')).toBe(false);
    expect(JSON.parse((await oneRow(h, 'correctiveActions', { id: action })).departmentIds).sort()).toEqual([(await dept('QA')).id, press.id].sort());
    // The responsible department sees it but does not move it.
    expect(await push.send('supervisor.press', 'return.transition', { id, from: 'received', to: 'investigating' })).toMatchObject({ status: 'rejected', code: 'forbidden' });
    // Made Paint's instead: Press no longer receives it (nor its action), Paint does.
    const paint = await dept('PNT');
    expect((await push.send('manager', 'return.update', { id, base: { departmentId: press.id }, changes: { departmentId: paint.id } })).status).toBe('applied');
    expect(await seen('operator.press')).toBe(false);
    expect(await seen('operator.paint')).toBe(true);
    expect(JSON.parse((await oneRow(h, 'correctiveActions', { id: action })).departmentIds)).toContain(paint.id);
  });
});
