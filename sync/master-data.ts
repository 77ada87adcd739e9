// Valibot schemas of the master data an admin maintains: the server's admin routes parse with them
// and the admin screens validate with them before sending, so both sides hold one copy.
import * as v from 'valibot';
import { containsUsername, PASSWORD_USERNAME_MESSAGE, PasswordSchema } from './password';
import { ROLES } from './roles';
import { RequiredText, Text } from './mutation-kit';

/** What a machine is doing, as an admin sets it. */
export const MACHINE_STATUSES = ['running', 'idle', 'down', 'maintenance'] as const;
/** The six Ms of a defect's cause. */
export const DEFECT_CATEGORIES = ['man', 'machine', 'method', 'material', 'measurement', 'environment'] as const;

const Name = RequiredText;
const Code = (max: number) => v.pipe(v.string('is required'), v.trim(), v.regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'may hold letters, digits, dot, dash and underscore'), v.maxLength(max, `must be at most ${max} characters`));
const Id = v.pipe(v.string('choose one'), v.uuid('must be an id'));
const Num = (min: number, max: number) => v.pipe(v.number('must be a number'), v.minValue(min, `must be at least ${min}`), v.maxValue(max, `must be at most ${max}`));

export const DepartmentFields = { code: Code(16), name: Name(100), hodUserId: v.nullable(Id) };
export const UserFields = {
  username: v.pipe(Code(64), v.toLowerCase()), displayName: Name(100), role: v.picklist(ROLES, 'choose one'), departmentId: v.nullable(Id),
};
export const MachineFields = {
  code: Code(32), name: Name(100), departmentId: Id, status: v.picklist(MACHINE_STATUSES, 'choose one'),
  hoursPerDay: Num(0, 24), idealCycleSeconds: Num(0, 86_400),
  /** The plant runs several stages on it at once (sync/production.ts lets a second one start). */
  allowParallel: v.boolean('must be yes or no'),
};
export const RoutingStepSchema = v.strictObject({ name: Name(100), departmentId: Id, plannedMinutes: Num(0, 100_000) });
export const ProductFields = {
  sku: Code(32), name: Name(200), revision: Name(16), unit: Name(16), sellPrice: Num(0, 1e9), standardMinutes: Num(0, 1e6),
  routing: v.pipe(v.array(RoutingStepSchema), v.maxLength(30, 'may hold at most 30 steps')),
};
export const DefectCodeFields = {
  code: Code(32), name: Name(100), category: v.picklist(DEFECT_CATEGORIES, 'choose one'),
};
export const SopFields = { code: Code(32), title: Name(200), departmentId: Id, revision: Name(16) };
export const SupplierFields = {
  name: Name(100), contact: Text(100), email: v.union([v.literal(''), v.pipe(v.string(), v.trim(), v.email('must be an email address'), v.maxLength(200, 'must be at most 200 characters'))], 'must be an email address'),
  leadTimeDays: v.pipe(v.number('must be a number'), v.integer('must be a whole number'), v.minValue(0, 'must be at least 0'), v.maxValue(365, 'must be at most 365')),
};

/** The password rule is sync/password.ts; the username part needs the username, so it runs on the whole body. */
export const UserCreateSchema = v.pipe(
  v.strictObject({ ...UserFields, password: PasswordSchema }),
  v.forward(v.partialCheck([['username'], ['password']], (o) => !containsUsername(o.password, o.username), PASSWORD_USERNAME_MESSAGE), ['password']),
);
/** The username part of the rule is checked by the route, which knows the user. */
export const PasswordResetSchema = v.strictObject({ password: PasswordSchema });

/** Every field optional, at least one given, nothing unknown. */
export function patchOf<E extends v.ObjectEntries>(entries: E) {
  const optional = Object.fromEntries(Object.entries(entries).map(([k, s]) => [k, v.optional(s)])) as {
    [K in keyof E]: v.OptionalSchema<E[K], undefined>;
  };
  return v.pipe(v.strictObject(optional), v.check((o) => Object.keys(o).length > 0, 'name at least one field to change'));
}
