import { beforeEach, describe, expect, it } from 'vitest';
import { useHarness } from '../../tests/setup/harness';
import { passwordProblem } from '../../sync/password';
import { DEMO_PASSWORD, DEMO_USERS } from '../seed';
import { auditRows, countAll, expectCleanError, tokenFor, userByName } from '../../tests/setup/helpers';
import { byName } from '../db/db';

const h = useHarness();
let admin: string;
beforeEach(async () => {
  admin = await tokenFor(h, 'admin');
});

const call = (method: string, path: string, body?: unknown) => h.call(method, path, { token: admin, body });
const deptId = async (code = 'PRS') => (await h.deps.db.selectFrom('departments').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id as string;

/** Every table an admin request could write to; a refused request must leave all of them as they were. */
const WRITTEN = ['departments', 'users', 'machines', 'products', 'defectCodes', 'sops', 'suppliers', 'auditLog', 'changeLog'] as const;

interface Spec {
  path: string;
  table: string;
  unique: string;
  /** A valid create body; `tag` keeps unique values apart. */
  create(tag: string): Promise<Record<string, unknown>>;
  /** A change of one field, and the field a person would call required. */
  patch: Record<string, unknown>;
  required: string;
  /** A text field to overfill with 100 kB. */
  text: string;
  /** The unique value of a seeded row. */
  taken: string;
}

const SPECS: Spec[] = [
  { path: 'departments', table: 'departments', unique: 'code', create: async (t) => ({ code: `W${t}`, name: 'Welding', hodUserId: null }), patch: { name: 'Welding and cutting' }, required: 'name', text: 'name', taken: 'PRS' },
  {
    path: 'users', table: 'users', unique: 'username',
    create: async (t) => ({ username: `welder${t}`, displayName: 'Wendy Welder', role: 'operator', departmentId: await deptId(), password: 'correct-horse-1' }),
    patch: { role: 'supervisor' }, required: 'password', text: 'displayName', taken: 'manager',
  },
  {
    path: 'machines', table: 'machines', unique: 'code', create: async (t) => ({ code: `LSR-${t}`, name: 'Laser cutter', departmentId: await deptId(), hoursPerDay: 8 }),
    patch: { status: 'down' }, required: 'departmentId', text: 'name', taken: 'PRS-01',
  },
  {
    path: 'products', table: 'products', unique: 'sku',
    create: async (t) => ({ sku: `BKT-${t}`, name: 'Bracket', sellPrice: 4.5, routing: [{ name: 'Press', departmentId: await deptId(), plannedMinutes: 2 }] }),
    patch: { sellPrice: 5.25 }, required: 'name', text: 'name', taken: 'BRK-100',
  },
  { path: 'defect-codes', table: 'defectCodes', unique: 'code', create: async (t) => ({ code: `SCR${t}`, name: 'Scratch', category: 'method' }), patch: { category: 'material' }, required: 'category', text: 'name', taken: 'BURR' },
  { path: 'sops', table: 'sops', unique: 'code', create: async (t) => ({ code: `SOP-W${t}`, title: 'Weld inspection', departmentId: await deptId() }), patch: { revision: 'B' }, required: 'title', text: 'title', taken: 'SOP-PRS-001' },
  { path: 'suppliers', table: 'suppliers', unique: 'name', create: async (t) => ({ name: `Steel AB ${t}`, email: 'orders@steel.example' }), patch: { leadTimeDays: 12 }, required: 'name', text: 'contact', taken: '' },
];

/** The seeded unique values depend on DOMAIN.md's demo plant; read one where the spec does not name one. */
async function takenValue(spec: Spec): Promise<string> {
  if (spec.taken) return spec.taken;
  const r = await byName(h.deps.db).selectFrom(spec.table).select(spec.unique).orderBy(spec.unique).executeTakeFirstOrThrow();
  return r[spec.unique] as string;
}

describe.each(SPECS)('/api/admin/$path', (spec) => {
  const base = `/api/admin/${spec.path}`;

  it('creates a row that the list then shows, and audits it with the new values', async () => {
    const body = await spec.create('1');
    const r = await call('POST', base, body);
    expect(r.status).toBe(201);
    const { password: _password, ...visible } = body;
    expect(r.body.item).toMatchObject({ ...visible, id: expect.any(String), version: 1, active: true, deletedAt: null });
    expect(r.body.item).not.toHaveProperty('passwordHash');

    const list = await call('GET', base);
    expect(list.status).toBe(200);
    expect(list.body.items.map((i: any) => i.id)).toContain(r.body.item.id);

    const [row] = await auditRows(h, `admin.${spec.path}.create`);
    expect(row).toMatchObject({ entity: spec.table, entityId: r.body.item.id, outcome: 'applied', username: 'admin', before: null });
    expect(row.after).toMatchObject(visible);
  });

  it('updates one field, answers the new version, and audits only that field before and after', async () => {
    const created = (await call('POST', base, await spec.create('2'))).body.item;
    const r = await call('PATCH', `${base}/${created.id}`, spec.patch);
    expect(r.status).toBe(200);
    expect(r.body.item).toMatchObject({ ...spec.patch, version: 2 });

    const [row] = await auditRows(h, `admin.${spec.path}.update`);
    const [field] = Object.keys(spec.patch);
    expect(row.before).toEqual({ [field]: created[field] ?? null });
    expect(row.after).toEqual(spec.patch);
    expect(row).toMatchObject({ entityId: created.id, baseVersion: 1, resultVersion: 2 });
  });

  it('deactivates: the row leaves the default list, stays with includeInactive, and the change is audited', async () => {
    const created = (await call('POST', base, await spec.create('3'))).body.item;
    const r = await call('POST', `${base}/${created.id}/deactivate`);
    expect(r.status).toBe(200);
    expect(r.body.item.active).toBe(false);

    expect((await call('GET', base)).body.items.map((i: any) => i.id)).not.toContain(created.id);
    expect((await call('GET', `${base}?includeInactive=true`)).body.items.map((i: any) => i.id)).toContain(created.id);
    const [row] = await auditRows(h, `admin.${spec.path}.deactivate`);
    expect(row).toMatchObject({ entityId: created.id, before: { active: true }, after: { active: false } });

    // Deactivating again changes nothing and writes nothing.
    const before = await countAll(h, WRITTEN);
    expect((await call('POST', `${base}/${created.id}/deactivate`)).status).toBe(200);
    expect(await countAll(h, WRITTEN)).toEqual(before);
  });

  it(`answers 409 already_exists for a ${spec.unique} that is taken, on create and on update, and writes nothing`, async () => {
    const taken = await takenValue(spec);
    const before = await countAll(h, WRITTEN);
    const dup = await call('POST', base, { ...(await spec.create('4')), [spec.unique]: taken });
    expect(dup.status).toBe(409);
    expectCleanError(dup.body, 'already_exists');
    expect(dup.body.error.message).toContain(taken);
    expect(dup.body.error.details).toEqual([{ field: spec.unique, message: expect.any(String) }]);
    expect(await countAll(h, WRITTEN)).toEqual(before);

    const created = (await call('POST', base, await spec.create('5'))).body.item;
    const rename = await call('PATCH', `${base}/${created.id}`, { [spec.unique]: taken });
    expect(rename.status).toBe(409);
    // Letter case does not make a value new (MariaDB's default collation would refuse it anyway).
    const shouted = await call('POST', base, { ...(await spec.create('8')), [spec.unique]: taken.toLowerCase() === taken ? taken.toUpperCase() : taken.toLowerCase() });
    expect(shouted.status).toBe(409);
    // Saving a row with its own value is not a clash.
    expect((await call('PATCH', `${base}/${created.id}`, { [spec.unique]: created[spec.unique] })).status).toBe(200);
  });

  it('refuses wrong types, a missing field, an unknown field and a 100 kB string with 400 naming the field, and writes nothing', async () => {
    const valid = await spec.create('6');
    const { [spec.required]: _dropped, ...missing } = valid;
    const cases: [unknown, string][] = [
      [{ ...valid, [spec.unique]: 12345 }, spec.unique],
      [{ ...valid, [spec.text]: ['not', 'a', 'string'] }, spec.text],
      [missing, spec.required],
      [{ ...valid, colour: 'red' }, 'colour'],
      [{ ...valid, [spec.text]: 'x'.repeat(100_000) }, spec.text],
    ];
    const created = (await call('POST', base, await spec.create('7'))).body.item;
    const before = await countAll(h, WRITTEN);
    for (const [body, field] of cases) {
      const r = await call('POST', base, body);
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expectCleanError(r.body, 'validation_failed');
      expect(r.body.error.details.map((d: any) => d.field)).toContain(field);
    }
    for (const [body, field] of [[{ [spec.text]: 'x'.repeat(100_000) }, spec.text], [{ id: created.id }, 'id'], [{ version: 7 }, 'version'], [{}, '']] as const) {
      const r = await call('PATCH', `${base}/${created.id}`, body);
      expect(r.status).toBe(400);
      expectCleanError(r.body, 'validation_failed');
      expect(r.body.error.details.map((d: any) => d.field)).toContain(field);
    }
    expect(await countAll(h, WRITTEN)).toEqual(before);
  });

  it('answers 404 for an id that does not exist and 400 for one that is not an id', async () => {
    const missing = await call('PATCH', `${base}/0190aaaa-0000-7000-8000-000000000000`, spec.patch);
    expect(missing.status).toBe(404);
    expectCleanError(missing.body, 'not_found');
    expect((await call('POST', `${base}/0190aaaa-0000-7000-8000-000000000000/deactivate`)).status).toBe(404);
    const bad = await call('PATCH', `${base}/1%20or%201=1`, spec.patch);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([{ field: 'id', message: expect.any(String) }]);
  });
});

describe('users', () => {
  it('never sends or audits a password hash, and a new user can log in with the password given', async () => {
    const created = await call('POST', '/api/admin/users', { username: 'New.Welder', displayName: 'Nina', role: 'operator', departmentId: null, password: 'correct-horse-1' });
    expect(created.status).toBe(201);
    expect(created.body.item.username).toBe('new.welder');
    const list = await call('GET', '/api/admin/users');
    expect(JSON.stringify(list.body)).not.toMatch(/passwordHash|\$2[aby]\$/);
    expect((await h.login('new.welder', 'correct-horse-1')).user.role).toBe('operator');
    expect(JSON.stringify(await auditRows(h))).not.toMatch(/\$2[aby]\$|correct-horse/);
  });

  it('resets a password: the old one stops working, the new one works, open sessions end, the audit shows only that it changed', async () => {
    const session = await h.login('operator.press');
    const r = await call('POST', `/api/admin/users/${session.user.id}/reset-password`, { password: 'brand-new-pass' });
    expect(r.status).toBe(204);
    expect((await h.call('POST', '/api/auth/login', { body: { username: 'operator.press', password: 'barron-demo-2026' } })).status).toBe(401);
    expect((await h.call('POST', '/api/auth/refresh', { body: { refreshToken: session.refreshToken } })).status).toBe(401);
    await h.login('operator.press', 'brand-new-pass');
    const [row] = await auditRows(h, 'admin.users.reset_password');
    expect(row).toMatchObject({ entityId: session.user.id, before: { passwordHash: '(hidden)' }, after: { passwordHash: '(changed)' } });
    expect(JSON.stringify(row)).not.toMatch(/\$2[aby]\$|brand-new-pass/);
  });

  it('refuses a short new password with 400 naming the field', async () => {
    const op = await userByName(h, 'operator.press');
    const r = await call('POST', `/api/admin/users/${op.id}/reset-password`, { password: 'short' });
    expect(r.status).toBe(400);
    expect(r.body.error.details).toEqual([{ field: 'password', message: expect.any(String) }]);
  });

  it('the demo password passes the rule for every demo user, so the demo shows nothing an admin could not set', () => {
    for (const u of DEMO_USERS) expect(passwordProblem(DEMO_PASSWORD, u.username), u.username).toBeUndefined();
  });

  it('refuses a weak password on create and on reset with 400 naming the field, and writes nothing', async () => {
    const op = await userByName(h, 'operator.press');
    const newUser = (password: string) => ({ username: 'new.welder', displayName: 'Nina', role: 'operator', departmentId: null, password });
    const cases: [string, string, RegExp][] = [
      ['12345678', 'new.welder', /at least 10 characters/],
      ['password123', 'new.welder', /too common/],
      ['Password2026!', 'new.welder', /too common/],
      ['new.welder', 'new.welder', /username/],
      ['operator.press', 'operator.press', /username/],
      ['my-new.welder-pass', 'new.welder', /username/],
      ['my-operator.press-pass', 'operator.press', /username/],
      ['é'.repeat(30) + '-and-some-more', 'new.welder', /at most 72 bytes/],
    ];
    const before = await countAll(h, WRITTEN);
    for (const [password, username, message] of cases) {
      const r = username === 'operator.press'
        ? await call('POST', `/api/admin/users/${op.id}/reset-password`, { password })
        : await call('POST', '/api/admin/users', newUser(password));
      expect(r.status, password).toBe(400);
      expectCleanError(r.body, 'validation_failed');
      expect(r.body.error.details, password).toEqual([{ field: 'password', message: expect.stringMatching(message) }]);
    }
    expect(await countAll(h, WRITTEN)).toEqual(before);
    expect((await h.call('POST', '/api/auth/login', { body: { username: 'operator.press', password: 'operator.press' } })).status).toBe(401);
  });

  it('changes role and department, which take effect at the next request of that user', async () => {
    const op = await userByName(h, 'operator.press');
    const token = await tokenFor(h, 'operator.press');
    expect((await h.call('GET', '/api/audit', { token })).status).toBe(403);
    const r = await call('PATCH', `/api/admin/users/${op.id}`, { role: 'manager', departmentId: await deptId('PNT') });
    expect(r.status).toBe(200);
    expect((await h.call('GET', '/api/audit', { token })).status).toBe(200);
    expect((await h.call('GET', '/api/me', { token })).body.user).toMatchObject({ role: 'manager', departmentId: await deptId('PNT') });
  });

  it('will not let an admin deactivate their own account or take away their own admin role', async () => {
    const me = await userByName(h, 'admin');
    const r = await call('POST', `/api/admin/users/${me.id}/deactivate`);
    expect(r.status).toBe(400);
    expectCleanError(r.body, 'validation_failed');
    const demote = await call('PATCH', `/api/admin/users/${me.id}`, { role: 'operator' });
    expect(demote.status).toBe(400);
    expect(demote.body.error.details).toEqual([{ field: 'role', message: expect.any(String) }]);
    expect((await call('PATCH', `/api/admin/users/${me.id}`, { displayName: 'Still Admin', role: 'admin' })).status).toBe(200);
  });

  it('refuses a department that does not exist or is inactive', async () => {
    const op = await userByName(h, 'operator.press');
    const r = await call('PATCH', `/api/admin/users/${op.id}`, { departmentId: '0190aaaa-0000-7000-8000-000000000000' });
    expect(r.status).toBe(400);
    expect(r.body.error.details).toEqual([{ field: 'departmentId', message: expect.any(String) }]);
    const asm = await deptId('ASM');
    await call('POST', `/api/admin/departments/${asm}/deactivate`);
    expect((await call('PATCH', `/api/admin/users/${op.id}`, { departmentId: asm })).status).toBe(400);
  });
});

describe('machines', () => {
  it('an admin marks a machine as running several stages at once, and a new machine runs one at a time', async () => {
    const created = (await call('POST', '/api/admin/machines', { code: 'CNC-PAR', name: 'Twin-spindle CNC', departmentId: await deptId() })).body.item;
    expect(created.allowParallel).toBe(false);
    const r = await call('PATCH', `/api/admin/machines/${created.id}`, { allowParallel: true });
    expect(r.status).toBe(200);
    expect(r.body.item.allowParallel).toBe(true);
    const row = await h.deps.db.selectFrom('machines').select('allowParallel').where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(Boolean(row.allowParallel)).toBe(true);
    const [audit] = await auditRows(h, 'admin.machines.update');
    expect(audit.after).toEqual({ allowParallel: true });
    const bad = await call('PATCH', `/api/admin/machines/${created.id}`, { allowParallel: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([{ field: 'allowParallel', message: 'must be yes or no' }]);
  });
});

describe('departments', () => {
  it('names a head of department, who must be an active user', async () => {
    const prs = await deptId();
    const sup = await userByName(h, 'supervisor.press');
    const r = await call('PATCH', `/api/admin/departments/${prs}`, { hodUserId: sup.id });
    expect(r.status).toBe(200);
    expect(r.body.item.hodUserId).toBe(sup.id);
    const bad = await call('PATCH', `/api/admin/departments/${prs}`, { hodUserId: '0190aaaa-0000-7000-8000-000000000000' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([{ field: 'hodUserId', message: expect.any(String) }]);
  });
});

describe('products', () => {
  it('keeps the routing as a list of steps and refuses a step in an unknown department', async () => {
    const r = await call('POST', '/api/admin/products', {
      sku: 'ROUTE-1', name: 'Routed', routing: [{ name: 'Press', departmentId: await deptId('PRS'), plannedMinutes: 3 }, { name: 'Paint', departmentId: await deptId('PNT'), plannedMinutes: 7 }],
    });
    expect(r.status).toBe(201);
    expect(r.body.item.routing.map((s: any) => s.name)).toEqual(['Press', 'Paint']);
    const bad = await call('PATCH', `/api/admin/products/${r.body.item.id}`, { routing: [{ name: 'X', departmentId: '0190aaaa-0000-7000-8000-000000000000', plannedMinutes: 1 }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([{ field: 'routing.0.departmentId', message: expect.any(String) }]);
  });
});

describe('malformed requests', () => {
  it('answers 400 malformed_json for a body that is not JSON, and writes nothing', async () => {
    const before = await countAll(h, WRITTEN);
    for (const raw of ['{"code": "X1", "name": ', 'not json at all', '']) {
      const r = await h.call('POST', '/api/admin/departments', { token: admin, raw });
      expect(r.status).toBe(400);
      expectCleanError(r.body, 'malformed_json');
    }
    expect(await countAll(h, WRITTEN)).toEqual(before);
  });

  it('answers 400 validation_failed for JSON that is not an object', async () => {
    for (const body of [null, [], 'a string', 42]) {
      const r = await call('POST', '/api/admin/departments', body);
      expect(r.status).toBe(400);
      expectCleanError(r.body, 'validation_failed');
    }
  });

  it('answers 413 payload_too_large for a body over 1 MiB, declared or streamed', async () => {
    const big = JSON.stringify({ code: 'BIG', name: 'x'.repeat(1024 * 1024 + 10) });
    const declared = await h.call('POST', '/api/admin/departments', { token: admin, raw: big, headers: { 'content-length': String(big.length) } });
    expect(declared.status).toBe(413);
    expectCleanError(declared.body, 'payload_too_large');
    const streamed = await h.app.request('/api/admin/departments', {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: new Blob([big]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expectCleanError(await streamed.json(), 'payload_too_large');
  });

  it('answers 404 JSON for an unknown API route, for a signed-in user and for nobody', async () => {
    for (const [method, path, token] of [['GET', '/api/nothing-here', undefined], ['DELETE', '/api/admin/users', admin], ['GET', '/api/admin/gadgets', admin], ['PUT', '/api/me', admin]] as const) {
      const r = await h.call(method, path, { token });
      expect(r.status, `${method} ${path}`).toBe(404);
      expectCleanError(r.body, 'not_found');
    }
  });

  it('answers 400 for an unknown query parameter on a list', async () => {
    const r = await call('GET', '/api/admin/machines?sort=name');
    expect(r.status).toBe(400);
    expect(r.body.error.details).toEqual([{ field: 'sort', message: expect.any(String) }]);
  });
});
