// The mutation half of the permission matrix: every mutation × every role, through a real push.
import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../../sync/ids';
import { MUTATIONS } from '../../sync/mutations';
import { ROLES } from '../../sync/roles';
import { useHarness } from '../../tests/setup/harness';

const h = useHarness();
const USER_OF_ROLE = { admin: 'admin', manager: 'manager', supervisor: 'supervisor.press', operator: 'operator.press', technician: 'technician' } as const;

/**
 * Who may send each mutation, written down here independently of the definitions under test
 * (A admin, M manager, S supervisor, O operator, T technician), as the route matrix is.
 */
const EXPECTED: Record<string, string> = {
  'stage.transition': 'AMSO',
  'stage.update': 'AMS',
  'stage.schedule': 'AMS',
  'job.progress': 'AMSO',
  'job.downtime': 'AMSO',
  'job.correction': 'AMSO',
  'holdRequest.create': 'AMSO',
  'holdRequest.transition': 'AM',
  'order.create': 'AM',
  'order.update': 'AM',
  'order.transition': 'AMS',
  'reject.create': 'AMSO',
  'reject.transition': 'AMS',
  'maintenance.create': 'AMSOT',
  'maintenance.update': 'AMSOT',
  'maintenance.transition': 'AMST',
  'maintenance.comment': 'AMSOT',
  // quality (CAPA)
  'action.create': 'AMS',
  'action.update': 'AMS',
  'action.transition': 'AMSOT',
  // quality (returns): Quality's supervisors and operators only, checked by the mutator
  'return.create': 'AMSO',
  'return.update': 'AMSO',
  'return.transition': 'AMSO',
  // SOP compliance (issue 12): the escalation is the system's alone, never a device's.
  'sop.raise': 'AMSOT',
  'sop.transition': 'AMS',
  'sop.escalate': '',
  'ncr.create': 'AMSOT',
  'ncr.update': 'AMSOT',
  'ncr.transition': 'AMSOT',
  'notification.read': 'AMSOT',
  // maintenance (issue 13)
  'maintenance.tick': 'AMST',
  'plan.create': 'AMS',
  'plan.update': 'AMS',
  'plan.transition': 'AMS',
  'plan.due': 'AM',
};
const LETTER = { admin: 'A', manager: 'M', supervisor: 'S', operator: 'O', technician: 'T' } as const;

describe('mutation permissions', () => {
  it('every mutation is refused as forbidden for each role it does not list, and reaches validation for each role it does', async () => {
    // A new mutation fails here until its row above says who may send it.
    expect(Object.keys(EXPECTED).sort()).toEqual([...MUTATIONS.keys()].sort());
    const seen: string[] = [];
    for (const role of ROLES) {
      const { accessToken } = await h.login(USER_OF_ROLE[role]);
      const mutations = [...MUTATIONS.values()].map((def, i) => ({ id: uuidv7(), seq: i + 1, name: def.name, args: { id: uuidv7(), bogus: true }, at: new Date().toISOString() }));
      const r = await h.call('POST', '/api/sync/push', { token: accessToken, body: { clientId: uuidv7(), schemaVersion: 1, mutations } });
      expect(r.status).toBe(200);
      for (const [i, def] of [...MUTATIONS.values()].entries()) {
        const result = r.body.results[i];
        expect(result.status, `${role} ${def.name}`).toBe('rejected');
        expect(result.code, `${role} ${def.name}`).toBe(EXPECTED[def.name].includes(LETTER[role]) ? 'validation_failed' : 'forbidden');
        seen.push(`${role}:${def.name}`);
      }
    }
    expect(seen.length).toBe(ROLES.length * MUTATIONS.size);
    // Nothing was written but the rejections' audit entries.
    const n = await h.deps.db.selectFrom('auditLog').select((eb) => eb.fn.countAll().as('n')).where('outcome', '=', 'rejected').executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(ROLES.length * MUTATIONS.size);
  });
});
