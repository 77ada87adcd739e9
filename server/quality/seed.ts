// The quality module's demo rows: two customer returns (one under investigation, made Press's) and
// a corrective action on a Press reject. Written by the shared mutators, so they obey their rules.
import { uuidv7 } from '../../sync/ids';
import { runMutator } from '../../sync/mutations';
import type { Db } from '../db/db';
import { writeAudited } from '../sync/write';

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

export async function seedQuality(db: Db): Promise<void> {
  const manager = await db.selectFrom('users').select(['id', 'role', 'departmentId']).where('username', '=', 'manager').executeTakeFirst();
  const owner = await db.selectFrom('users').select('id').where('username', '=', 'supervisor.press').executeTakeFirst();
  const press = await db.selectFrom('departments').select('id').where('code', '=', 'PRS').executeTakeFirst();
  const product = await db.selectFrom('products').select('id').where('sku', '=', 'CLP-400').executeTakeFirst();
  const reject = await db.selectFrom('rejects').select('id').where('departmentId', '=', press?.id ?? '').orderBy('number').executeTakeFirst();
  if (!manager || !owner || !press || !product || !reject) return;
  const actor = { id: manager.id, role: manager.role, departmentId: manager.departmentId };
  const run = (name: string, args: Record<string, unknown>, table: 'customerReturns' | 'correctiveActions') =>
    writeAudited(db, { actor: { id: manager.id, username: 'manager' }, name }, async (s, w) => {
      await runMutator(s, name, args, w.context(actor));
      return { table, id: args.id as string };
    });
  const first = uuidv7();
  await run('return.create', { id: first, customerName: 'Volvo Cars', productId: product.id, quantity: 40, reason: 'Clips crack when fitted: brittle at the bend.', receivedAt: day(-3) }, 'customerReturns');
  await run('return.transition', { id: first, from: 'received', to: 'investigating' }, 'customerReturns');
  await run('return.update', { id: first, base: { departmentId: null }, changes: { departmentId: press.id } }, 'customerReturns');
  await run('return.create', { id: uuidv7(), customerName: 'Scania', productId: product.id, quantity: 6, reason: 'Paint scratched in transit.', receivedAt: day(-1) }, 'customerReturns');
  await run('action.create', { id: uuidv7(), sourceType: 'reject', sourceId: reject.id, description: 'Check the die clearance after every die change and log it.', ownerId: owner.id, dueDate: day(5) }, 'correctiveActions');
}
