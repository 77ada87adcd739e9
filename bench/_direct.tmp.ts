export {};
import { uuidv7 } from '../sync/ids';
import { loadEnv } from '../server/env';
import { startServer } from '../server/server';
import { push } from '../server/sync/push';
import { findUserByUsername, publicUser } from '../server/auth/auth.repository';
const env = loadEnv({ DATABASE_URL: 'sqlite:/tmp/tp-direct.sqlite', PORT: '0', SEED_DEMO: '1', LOG_LEVEL: 'error', JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0123' });
const running = await startServer(env);
const db = running.deps.db;
const stages = await db.selectFrom('stages').selectAll().execute();
const user = publicUser((await findUserByUsername(db, 'manager'))!);
const mk = (n: number) => Array.from({ length: n }, (_, i) => ({ id: uuidv7(), seq: i + 1, name: 'job.progress', at: new Date().toISOString(), args: { id: uuidv7(), stageId: stages[i % stages.length].id, goodQty: 1, rejectQty: 0, confirmOverPlan: true } }));
for (let round = 0; round < 3; round++) {
  const clientId = uuidv7();
  const ms = mk(2000);
  const t0 = performance.now();
  for (let b = 0; b < 2000; b += 100) await push(running.deps, user, { clientId, schemaVersion: 1, mutations: ms.slice(b, b + 100) } as any, null);
  const t = performance.now() - t0;
  // raw
  const r0 = performance.now();
  if (process.env.RAW) for (let b = 0; b < 2000; b += 100) {
    await db.transaction().execute(async (trx) => {
      for (const m of ms.slice(b, b + 100)) {
        const now = new Date().toISOString();
        const meta = { version: 1, createdAt: now, updatedAt: now, updatedBy: user.id, deletedAt: null };
        const st = stages.find((s) => s.id === m.args.stageId)!;
        await trx.insertInto('jobEvents').values({ id: uuidv7(), ...meta, seq: 1, stageId: st.id, orderId: st.orderId, departmentId: st.departmentId, kind: 'progress', goodQty: 1, rejectQty: 0, minutes: 0, userId: user.id, at: now } as any).execute();
        await trx.updateTable('stages').set({ goodQty: 1, seq: 1 } as any).where('id', '=', st.id).execute();
        await trx.insertInto('changeLog').values({ seq: 1e9 + Math.floor(Math.random() * 1e9), tableName: 'bench', rowId: m.args.id, evict: 0, at: now } as any).execute();
        await trx.insertInto('auditLog').values({ id: uuidv7(), at: now, userId: user.id, mutationName: m.name, entity: 'bench', entityId: m.args.id, outcome: 'applied', after: JSON.stringify(m.args) } as any).execute();
      }
    });
  }
  const r = performance.now() - r0;
  console.log(`direct push(): ${Math.round(2000 / (t / 1000))}/s  raw: ${Math.round(2000 / (r / 1000))}/s  ratio ${(r / t).toFixed(2)}`);
}
await running.close();
