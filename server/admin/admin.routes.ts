// /api/admin/*: master data (users, departments, machines, products, defect codes, SOPs, suppliers).
// Admin only; every change is one audited write that devices receive at their next pull.
import { Hono } from 'hono';
import { describeRoute } from '../http/openapi';
import bcrypt from 'bcryptjs';
import * as v from 'valibot';
import { uuidv7 } from '../../sync/ids';
import { passwordProblem } from '../../sync/password';
import type { TableName } from '../../sync/tables';
import type { AppEnv, Deps } from '../context';
import { AppError, body, notFound, params, query } from '../http/errors';
import { requireRole } from '../http/auth';
import { mayAdminister } from '../../sync/permissions';
import { ROLES } from '../../sync/roles';
import { clientIp } from '../http/ip';
import { writeAudited } from '../sync/write';
import { isUniqueViolation } from '../db/db';
import { clearThrottle, revokeUserTokens } from '../auth/auth.repository';
import * as repo from './admin.repository';
import { configRoutes } from './config.routes';
import * as s from '../../sync/master-data';

interface Resource {
  path: string;
  table: string;
  label: string;
  unique: string;
  orderBy: string;
  fields: v.ObjectEntries;
  createSchema?: v.GenericSchema;
  /** Reference checks and derived columns; throws AppError 400 on a bad reference. */
  prepare?(deps: Deps, input: Record<string, unknown>): Promise<Record<string, unknown>>;
  defaults?: Record<string, unknown>;
}

const badField = (field: string, message: string) => new AppError(400, 'validation_failed', `The request body is not valid.`, [{ field, message }]);

async function checkDepartment(deps: Deps, input: Record<string, unknown>) {
  if (typeof input.departmentId === 'string' && !(await repo.exists(deps.db, 'departments', input.departmentId))) {
    throw badField('departmentId', 'no active department has this id');
  }
}

const RESOURCES: Resource[] = [
  {
    path: 'departments', table: 'departments', label: 'Department', unique: 'code', orderBy: 'code', fields: s.DepartmentFields,
    defaults: { hodUserId: null },
    async prepare(deps, input) {
      if (typeof input.hodUserId === 'string' && !(await repo.exists(deps.db, 'users', input.hodUserId))) throw badField('hodUserId', 'no active user has this id');
      return input;
    },
  },
  {
    path: 'users', table: 'users', label: 'User', unique: 'username', orderBy: 'username', fields: s.UserFields,
    createSchema: s.UserCreateSchema,
    async prepare(deps, input) {
      await checkDepartment(deps, input);
      if (typeof input.password === 'string') {
        const { password, ...rest } = input;
        return { ...rest, passwordHash: await bcrypt.hash(password as string, 10) };
      }
      return input;
    },
  },
  {
    path: 'machines', table: 'machines', label: 'Machine', unique: 'code', orderBy: 'code', fields: s.MachineFields,
    defaults: { status: 'idle', hoursPerDay: 16, idealCycleSeconds: 60, allowParallel: false },
    async prepare(deps, input) { await checkDepartment(deps, input); return input; },
  },
  {
    path: 'products', table: 'products', label: 'Product', unique: 'sku', orderBy: 'sku', fields: s.ProductFields,
    defaults: { revision: 'A', unit: 'pcs', sellPrice: 0, standardMinutes: 0, routing: [] },
    async prepare(deps, input) {
      for (const [i, step] of ((input.routing as { departmentId: string }[] | undefined) ?? []).entries()) {
        if (!(await repo.exists(deps.db, 'departments', step.departmentId))) throw badField(`routing.${i}.departmentId`, 'no active department has this id');
      }
      return input;
    },
  },
  { path: 'defect-codes', table: 'defectCodes', label: 'Defect code', unique: 'code', orderBy: 'code', fields: s.DefectCodeFields },
  {
    path: 'sops', table: 'sops', label: 'SOP', unique: 'code', orderBy: 'code', fields: s.SopFields, defaults: { revision: 'A' },
    async prepare(deps, input) { await checkDepartment(deps, input); return input; },
  },
  {
    path: 'suppliers', table: 'suppliers', label: 'Supplier', unique: 'name', orderBy: 'name', fields: s.SupplierFields,
    defaults: { contact: '', email: '', leadTimeDays: 0 },
  },
];

const IdParam = v.strictObject({ id: v.pipe(v.string(), v.uuid('must be an id')) });
const ListQuery = v.strictObject({ includeInactive: v.optional(v.picklist(['true', 'false'])) });

function createSchemaOf(r: Resource) {
  if (r.createSchema) return r.createSchema;
  const entries = Object.fromEntries(
    Object.entries(r.fields).map(([k, schema]) => [k, k in (r.defaults ?? {}) ? v.optional(schema) : schema]),
  );
  return v.strictObject(entries);
}

async function assertUnique(deps: Deps, r: Resource, value: unknown, selfId?: string) {
  const hit = await repo.findByFieldIgnoringCase(deps.db, r.table, r.unique, String(value));
  if (hit && hit.id !== selfId) {
    throw new AppError(409, 'already_exists', `${r.label} with ${r.unique} "${String(value)}" already exists.`, [{ field: r.unique, message: 'is already taken' }]);
  }
}

/** The unique index caught what assertUnique could not see yet (a concurrent create): the same 409. */
function raceToConflict(r: Resource, value: unknown) {
  return (err: unknown): never => {
    if (isUniqueViolation(err)) {
      throw new AppError(409, 'already_exists', `${r.label} with ${r.unique} "${String(value)}" already exists.`, [{ field: r.unique, message: 'is already taken' }]);
    }
    throw err;
  };
}

function resourceRoutes(r: Resource) {
  const table = r.table as TableName;
  const createSchema = createSchemaOf(r);
  const patchSchema = s.patchOf(r.fields);
  const routes = new Hono<AppEnv>()
    .get('/', describeRoute({ summary: `List ${r.label.toLowerCase()}s`, tags: ['admin'], query: ListQuery }), async (c) => {
      const q = query(c, ListQuery);
      return c.json({ items: await repo.listRows(c.get('deps').db, r.table, q.includeInactive === 'true', r.orderBy) });
    })
    .post('/', describeRoute({ summary: `Create a ${r.label.toLowerCase()}`, tags: ['admin'], body: createSchema, status: 201 }), async (c) => {
      const deps = c.get('deps');
      const input = (await body(c, createSchema)) as Record<string, unknown>;
      await assertUnique(deps, r, input[r.unique]);
      const row = await (r.prepare?.(deps, { ...r.defaults, ...input }) ?? { ...r.defaults, ...input });
      const id = uuidv7();
      await writeAudited(deps.db, { actor: c.get('user'), name: `admin.${r.path}.create`, ip: clientIp(c) }, async (store) => {
        await store.byName().insert(table, { id, ...row, active: true });
        return { table, id };
      }).catch(raceToConflict(r, input[r.unique]));
      return c.json({ item: await repo.getWire(deps.db, r.table, id) }, 201);
    })
    .patch('/:id', describeRoute({ summary: `Change a ${r.label.toLowerCase()}`, tags: ['admin'], params: IdParam, body: patchSchema }), async (c) => {
      const deps = c.get('deps');
      const { id } = params(c, IdParam);
      const input = (await body(c, patchSchema)) as Record<string, unknown>;
      if (!(await repo.getWire(deps.db, r.table, id))) throw notFound(r.label);
      // Like deactivating oneself: an admin who demotes themself may leave the plant without one.
      if (r.table === 'users' && id === c.get('user').id && input.role !== undefined && input.role !== 'admin') {
        throw new AppError(400, 'validation_failed', 'You cannot take away your own admin role.', [{ field: 'role', message: 'ask another admin' }]);
      }
      if (r.unique in input) await assertUnique(deps, r, input[r.unique], id);
      const changes = await (r.prepare?.(deps, input) ?? input);
      await writeAudited(deps.db, { actor: c.get('user'), name: `admin.${r.path}.update`, ip: clientIp(c) }, async (store) => {
        await store.byName().update(table, id, changes);
        return { table, id };
      }).catch(raceToConflict(r, input[r.unique]));
      return c.json({ item: await repo.getWire(deps.db, r.table, id) });
    })
    .post('/:id/deactivate', describeRoute({ summary: `Deactivate a ${r.label.toLowerCase()}`, tags: ['admin'], params: IdParam }), async (c) => {
      const deps = c.get('deps');
      const { id } = params(c, IdParam);
      const current = await repo.getWire(deps.db, r.table, id);
      if (!current) throw notFound(r.label);
      if (r.table === 'users' && id === c.get('user').id) throw new AppError(400, 'validation_failed', 'You cannot deactivate your own account.');
      if (current.active) {
        await writeAudited(deps.db, { actor: c.get('user'), name: `admin.${r.path}.deactivate`, ip: clientIp(c) }, async (store) => {
          await store.byName().update(table, id, { active: false });
          return { table, id };
        });
        if (r.table === 'users') await revokeUserTokens(deps.db, id, new Date().toISOString());
      }
      return c.json({ item: await repo.getWire(deps.db, r.table, id) });
    });
  // Only users have a password; other resources have no such route (not one that answers 404).
  if (r.table !== 'users') return routes;
  return routes.post('/:id/reset-password', describeRoute({ summary: 'Set a new password for a user', tags: ['admin'], params: IdParam, body: s.PasswordResetSchema, status: 204 }), async (c) => {
    const deps = c.get('deps');
    const { id } = params(c, IdParam);
    const { password } = await body(c, s.PasswordResetSchema);
    const user = await repo.getWire(deps.db, r.table, id);
    if (!user) throw notFound(r.label);
    const problem = passwordProblem(password, String(user.username));
    if (problem) throw badField('password', problem);
    const passwordHash = await bcrypt.hash(password, 10);
    await writeAudited(deps.db, { actor: c.get('user'), name: 'admin.users.reset_password', ip: clientIp(c) }, async (store) => {
      await store.update('users', id, { passwordHash });
      return { table, id };
    });
    await revokeUserTokens(deps.db, id, new Date().toISOString());
    await clearThrottle(deps.db, String(user.username)); // "ask an admin to reset the password" lets them in at once
    return c.body(null, 204);
  });
}

export const adminRoutes = new Hono<AppEnv>();
adminRoutes.use('*', requireRole(...ROLES.filter(mayAdminister)));
for (const r of RESOURCES) adminRoutes.route(`/${r.path}`, resourceRoutes(r));
// Config (issue 12: the SOP response and escalation times)
adminRoutes.route('/config', configRoutes);

/** For the permission-matrix test and docs: every admin path. */
export const ADMIN_RESOURCE_PATHS = RESOURCES.map((r) => r.path);
