// The permission matrix: every route of the app × every role (and no token at all). The table below
// must name every route the app has, so a new route cannot ship without deciding who may call it.
import { readFileSync } from 'node:fs';
import { inspectRoutes } from 'hono/dev';
import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../../sync/ids';
import { insertRefreshToken } from '../auth/auth.repository';
import { hashToken, newRefreshToken } from '../auth/tokens';
import { useHarness } from '../../tests/setup/harness';
import { countRows, expectCleanError, ROLE_NAMES, ROLE_USERS, tokenFor, userByName, type RoleName } from '../../tests/setup/helpers';
import { byName } from '../db/db';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { jpegBytes, photoForm } from '../../tests/setup/images';
import { attachmentStorage } from '../attachments/storage';

const h = useHarness();
// quality photos: uploads go to a folder of this run
let photoDir = '';
beforeAll(() => { photoDir = mkdtempSync(join(tmpdir(), 'barron-perm-photos-')); h.deps.env.ATTACHMENTS_DIR = photoDir; });
afterAll(() => rmSync(photoDir, { recursive: true, force: true }));

type Who = 'public' | 'signed-in' | RoleName[];
interface Request { method?: string; path?: string; body?: unknown; form?: FormData; /** An SSE answer: read only the status, then close. */ stream?: boolean }
interface Rule {
  /** Who may call it; everyone else gets 401 (no token) or 403 (wrong role). */
  who: Who;
  /** The status a permitted caller gets for the request below. */
  ok: number;
  /** A request that succeeds for a permitted caller (fresh per caller). */
  request?: (ctx: Ctx) => Promise<Request> | Request;
}
interface Ctx { caller: RoleName | 'none'; idOf(table: string, where?: [string, string]): Promise<string> }

const ADMIN: RoleName[] = ['admin'];

/** A real export to upload (a dry run: it writes nothing). */
function spreadsheet() {
  const form = new FormData();
  form.set('file', new File([readFileSync(new URL('../../tests/fixtures/d365-sales-order-lines.xlsx', import.meta.url))], 'orders.xlsx'));
  form.set('preset', 'd365');
  return form;
}
const n = (() => { let i = 0; return () => ++i; })();

async function refreshTokenFor(username: string) {
  const token = newRefreshToken();
  const now = new Date();
  await insertRefreshToken(h.deps.db, {
    userId: (await userByName(h, username)).id, familyId: uuidv7(), tokenHash: hashToken(token),
    createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + 86_400_000).toISOString(),
  });
  return token;
}

/** Valid create bodies, one per admin resource (unique values per call). */
const createBodies: Record<string, (ctx: Ctx) => Promise<unknown>> = {
  departments: async () => ({ code: `D${n()}`, name: 'Welding', hodUserId: null }),
  users: async (ctx) => ({ username: `new.user${n()}`, displayName: 'New User', role: 'operator', departmentId: await ctx.idOf('departments', ['code', 'PRS']), password: 'long-enough-1' }),
  machines: async (ctx) => ({ code: `M-${n()}`, name: 'Laser', departmentId: await ctx.idOf('departments', ['code', 'PRS']) }),
  products: async (ctx) => ({ sku: `SKU-${n()}`, name: 'Bracket', routing: [{ name: 'Press', departmentId: await ctx.idOf('departments', ['code', 'PRS']), plannedMinutes: 5 }] }),
  'defect-codes': async () => ({ code: `DC${n()}`, name: 'Scratch', category: 'method' }),
  sops: async (ctx) => ({ code: `SOP-${n()}`, title: 'Die change', departmentId: await ctx.idOf('departments', ['code', 'PRS']) }),
  suppliers: async () => ({ name: `Supplier ${n()}` }),
};
const patchBodies: Record<string, unknown> = {
  departments: { name: 'Renamed' }, users: { displayName: 'Renamed' }, machines: { name: 'Renamed' }, products: { name: 'Renamed' },
  'defect-codes': { name: 'Renamed' }, sops: { title: 'Renamed' }, suppliers: { contact: 'Someone' },
};
const tables: Record<string, string> = {
  departments: 'departments', users: 'users', machines: 'machines', products: 'products', 'defect-codes': 'defectCodes', sops: 'sops', suppliers: 'suppliers',
};
/** A row the admin may change (for users: not the admin itself). */
const target = (resource: string, ctx: Ctx) => ctx.idOf(tables[resource], resource === 'users' ? ['username', 'operator.paint'] : undefined);

const MATRIX: Record<string, Rule> = {
  'GET /health': { who: 'public', ok: 200 },
  // Guarded by METRICS_TOKEN, not by a user's role (server/observe/observe.test.ts); unset here, so 404 for all.
  'GET /metrics': { who: 'public', ok: 404 },
  'POST /api/auth/login': { who: 'public', ok: 200, request: () => ({ body: { username: 'operator.press', password: 'barron-demo-2026' } }) },
  'POST /api/auth/refresh': { who: 'public', ok: 200, request: async () => ({ body: { refreshToken: await refreshTokenFor('operator.press') } }) },
  'POST /api/auth/logout': { who: 'public', ok: 204, request: async () => ({ body: { refreshToken: await refreshTokenFor('operator.press') } }) },
  'GET /api/me': { who: 'signed-in', ok: 200 },
  'POST /api/sync/push': {
    who: 'signed-in', ok: 200,
    request: () => ({ body: { clientId: uuidv7(), schemaVersion: 1, mutations: [{ id: uuidv7(), seq: 1, name: 'no.such.mutation', args: {}, at: new Date().toISOString() }] } }),
  },
  'GET /api/sync/pull': { who: 'signed-in', ok: 200, request: () => ({ path: `/api/sync/pull?clientId=${uuidv7()}&limit=5` }) },
  'GET /api/audit': { who: ['admin', 'manager'], ok: 200 },
  'GET /api/import/presets': { who: ['admin', 'manager'], ok: 200 },
  'POST /api/import/orders': { who: ['admin', 'manager'], ok: 200, request: () => ({ form: spreadsheet() }) },
  // quality: the history of a row the caller sees (a technician sees only the actions they own).
  'GET /api/quality/history': { who: 'signed-in', ok: 200, request: async (ctx) => ({ path: `/api/quality/history?entity=correctiveActions&id=${await actionSeenBy(ctx.caller)}` }) },
  // quality photos: a Press reject every floor role may see
  'POST /api/attachments': {
    who: ['admin', 'manager', 'supervisor', 'operator'], ok: 201,
    request: async (ctx) => ({ form: photoForm({ id: uuidv7(), entityId: await pressReject(ctx) }) }),
  },
  'GET /api/attachments/:id': {
    who: ['admin', 'manager', 'supervisor', 'operator'], ok: 200,
    request: async (ctx) => {
      // Stored directly (no audit entry): the refused callers' audit count must stay as it was.
      const id = uuidv7();
      const now = new Date().toISOString();
      await attachmentStorage(h.deps.env).put(id, jpegBytes());
      await byName(h.deps.db).insertInto('attachments').values({
        id, version: 1, createdAt: now, updatedAt: now, updatedBy: null, deletedAt: null, seq: 0, entity: 'rejects', entityId: await pressReject(ctx),
        departmentIds: JSON.stringify([await ctx.idOf('departments', ['code', 'PRS'])]), contentType: 'image/jpeg', bytes: jpegBytes().length, width: 1600, height: 1200, createdBy: await ctx.idOf('users', ['username', 'admin']),
      }).execute();
      return { path: `/api/attachments/${id}` };
    },
  },
  // quality reports: managers the plant, supervisors their department
  'GET /api/reports/quality': { who: ['admin', 'manager', 'supervisor'], ok: 200, request: () => ({ path: '/api/reports/quality?from=2026-01-01&to=2026-01-31' }) },
  // SOP compliance (issue 12)
  'GET /api/reports/sop': { who: ['admin', 'manager'], ok: 200, request: () => ({ path: '/api/reports/sop?from=2026-01-01&to=2030-12-31' }) },
  'GET /api/admin/config': { who: ADMIN, ok: 200 },
  'PUT /api/admin/config/:key': { who: ADMIN, ok: 200, request: () => ({ path: '/api/admin/config/sop.escalateAfterMinutes', body: { value: 120 } }) },
  // maintenance (issue 13)
  'GET /api/reports/maintenance': { who: ['admin', 'manager', 'supervisor', 'technician'], ok: 200 },
  'GET /api/maintenance/sla': { who: 'signed-in', ok: 200 },
  'PUT /api/maintenance/sla': { who: ADMIN, ok: 200, request: () => ({ body: { sla: { 1: { responseHours: 1, resolutionHours: 8 }, 2: { responseHours: 4, resolutionHours: 24 }, 3: { responseHours: 8, resolutionHours: 72 }, 4: { responseHours: 24, resolutionHours: 168 } } } }) },
  'GET /api/maintenance/machines/:id/tickets': { who: ['admin', 'manager', 'supervisor', 'technician'], ok: 200, request: async (ctx) => ({ path: `/api/maintenance/machines/${await ctx.idOf('machines', ['code', 'PRS-02'])}/tickets` }) },
  // The catch-all: an unknown API path is 404 for everyone, signed in or not.
  'ALL /api/*': { who: 'public', ok: 404, request: () => ({ method: 'GET', path: '/api/no-such-route' }) },
};
for (const resource of Object.keys(createBodies)) {
  const base = `/api/admin/${resource}`;
  MATRIX[`GET ${base}`] = { who: ADMIN, ok: 200 };
  MATRIX[`POST ${base}`] = { who: ADMIN, ok: 201, request: async (ctx) => ({ body: await createBodies[resource](ctx) }) };
  MATRIX[`PATCH ${base}/:id`] = { who: ADMIN, ok: 200, request: async (ctx) => ({ path: `${base}/${await target(resource, ctx)}`, body: patchBodies[resource] }) };
  MATRIX[`POST ${base}/:id/deactivate`] = { who: ADMIN, ok: 200, request: async (ctx) => ({ path: `${base}/${await target(resource, ctx)}/deactivate` }) };
}
MATRIX['POST /api/admin/users/:id/reset-password'] = {
  who: ADMIN, ok: 204, request: async (ctx) => ({ path: `/api/admin/users/${await target('users', ctx)}/reset-password`, body: { password: 'a-new-password' } }),
};
// live (issue 15): the poke, the CSV exports (in the user's scope) and the API description.
Object.assign(MATRIX, {
  'GET /api/sync/events': { who: 'signed-in', ok: 200, request: () => ({ stream: true }) },
  'GET /api/orders/export.csv': { who: 'signed-in', ok: 200 },
  'GET /api/stages/export.csv': { who: 'signed-in', ok: 200 },
  'GET /api/rejects/export.csv': { who: 'signed-in', ok: 200 },
  'GET /api/maintenance/export.csv': { who: 'signed-in', ok: 200 },
  'GET /api/audit/export.csv': { who: ['admin', 'manager'], ok: 200 },
  'GET /api/openapi.json': { who: 'public', ok: 200 },
  'GET /api/docs': { who: 'public', ok: 200 },
  'GET /api/docs/:file': { who: 'public', ok: 200, request: () => ({ path: '/api/docs/start.js' }) },
} satisfies Record<string, Rule>);

/** quality: a corrective action on a Press reject, owned by the caller (so every signed-in role sees it). */
async function actionSeenBy(caller: RoleName | 'none') {
  const owner = await userByName(h, ROLE_USERS[caller === 'none' ? 'admin' : caller]);
  const reject = await byName(h.deps.db).selectFrom('rejects').selectAll().orderBy('number').executeTakeFirstOrThrow();
  const id = uuidv7();
  const now = new Date().toISOString();
  await h.deps.db.insertInto('correctiveActions').values({
    id, version: 1, createdAt: now, updatedAt: now, updatedBy: owner.id, deletedAt: null, seq: 0, number: null, sourceType: 'reject', sourceId: reject.id,
    departmentIds: JSON.stringify([reject.departmentId]), description: 'Check', ownerId: owner.id, dueDate: now.slice(0, 10), status: 'open',
    doneNote: null, doneAt: null, reopenNote: null, verifiedBy: null, verifiedAt: null,
  }).execute();
  return id;
}
// finance (issue 14): managers and admins; operators, supervisors and technicians get 403 everywhere.
const FINANCE: RoleName[] = ['admin', 'manager'];
const financeIds = async (ctx: Ctx) => {
  const bom = await ctx.idOf('boms', ['active', '1']);
  return { bom, supplier: await ctx.idOf('suppliers', ['name', 'Nordic Steel AB']), product: await ctx.idOf('products', ['sku', 'BRK-100']) };
};
function bomLinesCsv() {
  const form = new FormData();
  form.set('file', new File(['Component,Qty,Unit cost\nWasher,2,0.01\n'], 'lines.csv', { type: 'text/csv' }));
  return form;
}
Object.assign(MATRIX, {
  'GET /api/finance/suppliers': { who: FINANCE, ok: 200 },
  'POST /api/finance/suppliers': { who: FINANCE, ok: 201, request: () => ({ body: { name: `Finance supplier ${n()}` } }) },
  'PATCH /api/finance/suppliers/:id': { who: FINANCE, ok: 200, request: async (ctx) => ({ path: `/api/finance/suppliers/${(await financeIds(ctx)).supplier}`, body: { notes: 'Checked' } }) },
  'POST /api/finance/suppliers/:id/deactivate': { who: FINANCE, ok: 200, request: async (ctx) => ({ path: `/api/finance/suppliers/${(await financeIds(ctx)).supplier}/deactivate` }) },
  'POST /api/finance/suppliers/:id/activate': { who: FINANCE, ok: 200, request: async (ctx) => ({ path: `/api/finance/suppliers/${(await financeIds(ctx)).supplier}/activate` }) },
  'DELETE /api/finance/suppliers/:id': { who: FINANCE, ok: 200, request: async (ctx) => ({ path: `/api/finance/suppliers/${(await financeIds(ctx)).supplier}` }) },
  'GET /api/finance/boms': { who: FINANCE, ok: 200 },
  'POST /api/finance/boms': { who: FINANCE, ok: 201, request: async (ctx) => ({ body: { productId: (await financeIds(ctx)).product, revision: `R${n()}`, lines: [{ componentName: 'Washer', quantity: 1, unitCost: 1 }] } }) },
  'GET /api/finance/boms/:id': { who: FINANCE, ok: 200, request: async (ctx) => ({ path: `/api/finance/boms/${(await financeIds(ctx)).bom}` }) },
  'PATCH /api/finance/boms/:id': { who: FINANCE, ok: 200, request: async (ctx) => ({ path: `/api/finance/boms/${(await financeIds(ctx)).bom}`, body: { notes: 'Checked' } }) },
  'POST /api/finance/boms/:id/activate': { who: FINANCE, ok: 200, request: async (ctx) => ({ path: `/api/finance/boms/${(await financeIds(ctx)).bom}/activate` }) },
  'POST /api/finance/boms/:id/deactivate': { who: FINANCE, ok: 200, request: async (ctx) => ({ path: `/api/finance/boms/${(await financeIds(ctx)).bom}/deactivate` }) },
  'POST /api/finance/boms/:id/copy': { who: FINANCE, ok: 201, request: async (ctx) => ({ path: `/api/finance/boms/${(await financeIds(ctx)).bom}/copy`, body: { revision: `C${n()}` } }) },
  'POST /api/finance/boms/:id/import': { who: FINANCE, ok: 200, request: async (ctx) => ({ path: `/api/finance/boms/${(await financeIds(ctx)).bom}/import`, form: bomLinesCsv() }) },
  'GET /api/finance/products': { who: FINANCE, ok: 200 },
  'GET /api/finance/products/:id/cost': { who: FINANCE, ok: 200, request: async (ctx) => ({ path: `/api/finance/products/${(await financeIds(ctx)).product}/cost` }) },
  'GET /api/finance/labour-rate': { who: FINANCE, ok: 200 },
  'PUT /api/finance/labour-rate': { who: FINANCE, ok: 200, request: () => ({ body: { default: 4000 } }) },
  'GET /api/reports/profitability': { who: FINANCE, ok: 200, request: () => ({ path: '/api/reports/profitability?from=2026-01-01&to=2026-12-31' }) },
} satisfies Record<string, Rule>);
// dashboard (issue 15 §2): managers and admins the plant, a supervisor their own department.
Object.assign(MATRIX, {
  'GET /api/dashboard': { who: ['admin', 'manager', 'supervisor'], ok: 200 },
} satisfies Record<string, Rule>);

async function upload(path: string, form: FormData, token?: string) {
  const res = await h.app.request(path, { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {}, body: form });
  return { status: res.status, body: await res.json() };
}

/** quality photos: a reject on a Press machine. */
async function pressReject(ctx: Ctx) {
  const machine = await ctx.idOf('machines', ['code', 'PRS-01']);
  return (await h.deps.db.selectFrom('rejects').select('id').where('machineId', '=', machine).executeTakeFirstOrThrow()).id;
}

/** The status of a stream; a refusal's JSON body is read, an open stream is cancelled. */
async function openStream(path: string, token?: string) {
  const res = await h.app.request(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (res.status !== 200) return { status: res.status, body: await res.json() };
  await res.body?.cancel();
  return { status: res.status, body: null };
}

function expected(rule: Rule, caller: RoleName | 'none'): number {
  if (rule.who === 'public') return rule.ok;
  if (caller === 'none') return 401;
  if (rule.who === 'signed-in' || rule.who.includes(caller)) return rule.ok;
  return 403;
}

const appRoutes = () =>
  [...new Set(inspectRoutes(h.app).filter((r) => !r.isMiddleware).map((r) => `${r.method} ${r.path}`))].sort();

describe('the permission matrix', () => {
  it('names every route of the app, and only those', () => {
    expect(Object.keys(MATRIX).sort()).toEqual(appRoutes());
  });

  it.each(Object.keys(MATRIX))('%s answers each role as the matrix says', async (key) => {
    const rule = MATRIX[key];
    const [method, path] = key.split(' ');
    const tokens = Object.fromEntries(await Promise.all(ROLE_NAMES.map(async (r) => [r, await tokenFor(h, ROLE_USERS[r])] as const)));
    const ctx = (caller: RoleName | 'none'): Ctx => ({
      caller,
      async idOf(table, where) {
        let q = byName(h.deps.db).selectFrom(table).select('id').orderBy('id');
        if (where) q = q.where(where[0], '=', where[1]);
        return (await q.executeTakeFirstOrThrow()).id;
      },
    });
    // Callers who are refused go first, so that what they tried is still there to be refused.
    const callers = (['none', ...ROLE_NAMES] as const).slice().sort((a, b) => Number(expected(rule, a) < 400) - Number(expected(rule, b) < 400));
    const seen: Record<string, number> = {};
    const want: Record<string, number> = {};
    for (const caller of callers) {
      const auditBefore = await countRows(h, 'auditLog');
      const req = (await rule.request?.(ctx(caller))) ?? {};
      const token = caller === 'none' ? undefined : tokens[caller];
      const r = req.form
        ? await upload(req.path ?? path, req.form, token)
        : req.stream
          ? await openStream(req.path ?? path, token)
          : await h.call(req.method ?? (method === 'ALL' ? 'GET' : method), req.path ?? path, { token, body: req.body });
      seen[caller] = r.status;
      want[caller] = expected(rule, caller);
      if (r.status >= 400) {
        expectCleanError(r.body);
        // A refused request leaves no trace but a refusal.
        if (rule.who !== 'public') expect(await countRows(h, 'auditLog')).toBe(auditBefore);
      }
    }
    expect(seen).toEqual(want);
  });
});
