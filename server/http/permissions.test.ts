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

const h = useHarness();

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

async function upload(path: string, form: FormData, token?: string) {
  const res = await h.app.request(path, { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {}, body: form });
  return { status: res.status, body: await res.json() };
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
