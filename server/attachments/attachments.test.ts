// Photos of rejects: the upload refuses what is not a photo or not the sender's, is idempotent,
// audited, and its metadata reaches only the devices that may see the reject.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../sync/ids';
import { useHarness } from '../../tests/setup/harness';
import { auditRows, countRows, devicePush, expectCleanError, oneRow, tokenFor } from '../../tests/setup/helpers';
import { jpegBytes, photoForm, pngBytes, webpBytes } from '../../tests/setup/images';
import { sniffImage } from './sniff';

const h = useHarness();
const push = devicePush(h);
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'barron-photos-'));
  h.deps.env.ATTACHMENTS_DIR = dir;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function rejectOf(machineCode: string) {
  const m = await h.deps.db.selectFrom('machines').select('id').where('code', '=', machineCode).executeTakeFirstOrThrow();
  return (await h.deps.db.selectFrom('rejects').select(['id', 'number']).where('machineId', '=', m.id).executeTakeFirstOrThrow());
}

async function upload(token: string | undefined, body: FormData | string, headers: Record<string, string> = {}) {
  const res = await h.app.request('/api/attachments', { method: 'POST', headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers }, body });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function pullTable(token: string, table: string) {
  const r = await h.call('GET', `/api/sync/pull?clientId=${uuidv7()}&limit=500`, { token });
  expect(r.status).toBe(200);
  return r.body.changes.filter((c: { table: string }) => c.table === table).map((c: { row: Record<string, unknown> }) => c.row);
}

describe('sniffing an upload', () => {
  it('reads type and size from the bytes of a JPEG, PNG and WebP, and nothing else', () => {
    expect(sniffImage(jpegBytes(1600, 900))).toEqual({ contentType: 'image/jpeg', width: 1600, height: 900 });
    expect(sniffImage(pngBytes(640, 480))).toEqual({ contentType: 'image/png', width: 640, height: 480 });
    expect(sniffImage(webpBytes(800, 600))).toEqual({ contentType: 'image/webp', width: 800, height: 600 });
    expect(sniffImage(new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"></svg>'))).toBeNull();
    expect(sniffImage(new TextEncoder().encode('GIF89a……'))).toBeNull();
    expect(sniffImage(new Uint8Array([0xff, 0xd8, 0xff]))).toBeNull();
  });
});

describe('POST /api/attachments', () => {
  it('stores a photo of a reject, audits it, answers the same row when sent again, and serves it to the reject\'s department', async () => {
    const op = await tokenFor(h, 'operator.press');
    const reject = await rejectOf('PRS-01');
    const id = uuidv7();
    const bytes = jpegBytes(1200, 1600);
    const first = await upload(op, photoForm({ id, entityId: reject.id, bytes }));
    expect(first.status).toBe(201);
    expect(first.body.attachment).toMatchObject({ id, entity: 'rejects', entityId: reject.id, contentType: 'image/jpeg', bytes: bytes.length, width: 1200, height: 1600 });
    const again = await upload(op, photoForm({ id, entityId: reject.id, bytes }));
    expect(again.status).toBe(200);
    expect(again.body.attachment.version).toBe(1);
    expect(await countRows(h, 'attachments')).toBe(1);
    const audit = await auditRows(h, 'attachment.create');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ entity: 'attachments', entityId: id, outcome: 'applied' });

    const manager = await tokenFor(h, 'manager');
    const res = await h.app.request(`/api/attachments/${id}`, { headers: { authorization: `Bearer ${manager}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);
    const paint = await tokenFor(h, 'operator.paint');
    const refused = await h.call('GET', `/api/attachments/${id}`, { token: paint });
    expect(refused.status).toBe(404);
    expectCleanError(refused.body, 'not_found');
    // An address made for another user is not answered from this user's token (the device's photo cache is keyed by it).
    expect((await h.call('GET', `/api/attachments/${id}?u=${uuidv7()}`, { token: manager })).status).toBe(403);
  });

  it('refuses a file that is not a JPEG, PNG or WebP whatever its name and type say, and writes nothing', async () => {
    const op = await tokenFor(h, 'operator.press');
    const reject = await rejectOf('PRS-01');
    const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>');
    const r = await upload(op, photoForm({ id: uuidv7(), entityId: reject.id, bytes: svg, name: 'photo.jpg', type: 'image/jpeg' }));
    expect(r.status).toBe(400);
    expectCleanError(r.body, 'validation_failed');
    expect(r.body.error.details).toEqual([{ field: 'file', message: 'is not a JPEG, PNG or WebP image' }]);
    expect(await countRows(h, 'attachments')).toBe(0);
    expect(await auditRows(h, 'attachment.create')).toEqual([]);
  });

  it('refuses a 40 MB body from its Content-Length at once, without reading it', async () => {
    const op = await tokenFor(h, 'operator.press');
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(ctrl) {
        pulled += 1;
        if (pulled > 640) return ctrl.close();
        ctrl.enqueue(new Uint8Array(64 * 1024));
      },
    });
    const started = Date.now();
    const res = await h.app.request('/api/attachments', {
      method: 'POST', body, duplex: 'half',
      headers: { authorization: `Bearer ${op}`, 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(40 * 1024 * 1024) },
    } as RequestInit);
    expect(res.status).toBe(413);
    expectCleanError(await res.json(), 'payload_too_large');
    expect(Date.now() - started).toBeLessThan(2000);
    // The stream was at most started, never read to the end (640 chunks of 64 KiB).
    expect(pulled).toBeLessThan(10);
    expect(await countRows(h, 'attachments')).toBe(0);
  });

  it('refuses a photo over 5 MB sent without a Content-Length', async () => {
    const op = await tokenFor(h, 'operator.press');
    const reject = await rejectOf('PRS-01');
    const big = new Uint8Array(6 * 1024 * 1024);
    big.set(jpegBytes(100, 100, 0).subarray(0, 40));
    const r = await upload(op, photoForm({ id: uuidv7(), entityId: reject.id, bytes: big }));
    expect(r.status).toBe(413);
    expectCleanError(r.body, 'payload_too_large');
    expect(await countRows(h, 'attachments')).toBe(0);
  });

  it('answers a Press operator\'s photo for a Paint reject as a reject that does not exist, and writes nothing', async () => {
    const op = await tokenFor(h, 'operator.press');
    const paintReject = await rejectOf('PNT-01');
    const r = await upload(op, photoForm({ id: uuidv7(), entityId: paintReject.id }));
    expect(r.status).toBe(404);
    expectCleanError(r.body, 'not_found');
    expect(await countRows(h, 'attachments')).toBe(0);
    expect(await auditRows(h, 'attachment.create')).toEqual([]);
  });

  it('answers 409 not_synced_yet for a reject the server does not have yet, and takes the photo once the reject is there', async () => {
    const op = await tokenFor(h, 'operator.press');
    const id = uuidv7();
    const rejectId = uuidv7();
    const early = await upload(op, photoForm({ id, entityId: rejectId }));
    expect(early.status).toBe(409);
    expectCleanError(early.body, 'not_synced_yet');
    expect(await countRows(h, 'attachments')).toBe(0);
    const m = await h.deps.db.selectFrom('machines').select('id').where('code', '=', 'PRS-01').executeTakeFirstOrThrow();
    const d = await h.deps.db.selectFrom('defectCodes').select('id').where('code', '=', 'BURR').executeTakeFirstOrThrow();
    const push = await h.call('POST', '/api/sync/push', { token: op, body: { clientId: uuidv7(), schemaVersion: 1, mutations: [{ id: uuidv7(), seq: 1, name: 'reject.create', args: { id: rejectId, machineId: m.id, defectCodeId: d.id, quantity: 2 }, at: new Date().toISOString() }] } });
    expect(push.body.results[0].status).toBe('applied');
    expect((await upload(op, photoForm({ id, entityId: rejectId }))).status).toBe(201);
  });

  it('refuses a technician, an unknown entity and a taken id of another photo', async () => {
    const reject = await rejectOf('PRS-01');
    const tech = await tokenFor(h, 'technician');
    expect((await upload(tech, photoForm({ id: uuidv7(), entityId: reject.id }))).status).toBe(403);
    const op = await tokenFor(h, 'operator.press');
    const bad = await upload(op, photoForm({ id: uuidv7(), entity: 'orders', entityId: reject.id }));
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('entity');
    const id = uuidv7();
    expect((await upload(op, photoForm({ id, entityId: reject.id }))).status).toBe(201);
    const other = await rejectOf('PRS-02');
    const taken = await upload(op, photoForm({ id, entityId: other.id }));
    expect(taken.status).toBe(409);
    expectCleanError(taken.body, 'already_exists');
  });
});

describe('photo metadata in pull', () => {
  it('a Press operator never receives a Paint reject\'s photo; Paint and the manager do; a technician none', async () => {
    const paintOp = await tokenFor(h, 'operator.paint');
    const pressOp = await tokenFor(h, 'operator.press');
    const manager = await tokenFor(h, 'manager');
    const paintPhoto = uuidv7();
    const pressPhoto = uuidv7();
    expect((await upload(paintOp, photoForm({ id: paintPhoto, entityId: (await rejectOf('PNT-01')).id, bytes: pngBytes() }))).status).toBe(201);
    expect((await upload(manager, photoForm({ id: pressPhoto, entityId: (await rejectOf('PRS-01')).id, bytes: webpBytes() }))).status).toBe(201);
    const ids = async (token: string) => (await pullTable(token, 'attachments')).map((r: Record<string, unknown>) => r.id).sort();
    expect(await ids(pressOp)).toEqual([pressPhoto]);
    expect(await ids(paintOp)).toEqual([paintPhoto]);
    expect(await ids(manager)).toEqual([paintPhoto, pressPhoto].sort());
    expect(await ids(await tokenFor(h, 'technician'))).toEqual([]);
    const row = (await pullTable(pressOp, 'attachments'))[0];
    expect(row).toMatchObject({ entity: 'rejects', contentType: 'image/webp', width: 800, height: 600 });
    expect(row).not.toHaveProperty('seq');
  });
});

describe('photos of a customer return', () => {
  it('reach Quality, not Press, until Press is made responsible: then Press devices receive them too', async () => {
    push.reset();
    const id = uuidv7();
    const product = await oneRow(h, 'products', { sku: 'CLP-400' });
    expect((await push.send('quality.lead', 'return.create', { id, customerName: 'Bosch', productId: product.id, quantity: 12, reason: 'Burrs on the clip edge' })).status).toBe('applied');
    const qa = await tokenFor(h, 'quality.lead');
    const photo = uuidv7();
    expect((await upload(qa, photoForm({ id: photo, entity: 'customerReturns', entityId: id }))).status).toBe(201);
    const pressOp = await tokenFor(h, 'operator.press');
    // Not Press's return: its photo cannot be read, uploaded to, or pulled.
    expect((await h.call('GET', `/api/attachments/${photo}`, { token: pressOp })).status).toBe(404);
    expect((await upload(pressOp, photoForm({ id: uuidv7(), entity: 'customerReturns', entityId: id }))).status).toBe(404);
    expect(await pullTable(pressOp, 'attachments')).toEqual([]);
    expect((await pullTable(qa, 'attachments')).map((r: Record<string, unknown>) => r.id)).toEqual([photo]);

    const press = await oneRow(h, 'departments', { code: 'PRS' });
    expect((await push.send('manager', 'return.update', { id, base: { departmentId: null }, changes: { departmentId: press.id } })).status).toBe('applied');
    const pulled = await pullTable(pressOp, 'attachments');
    expect(pulled.map((r: Record<string, unknown>) => r.id)).toEqual([photo]);
    expect(pulled[0].departmentIds).toContain(press.id);
    expect((await h.call('GET', `/api/attachments/${photo}`, { token: pressOp })).status).toBe(200);
  });
});
