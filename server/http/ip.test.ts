import { describe, expect, it } from 'vitest';
import { useHarness } from '../../tests/setup/harness';

const h = useHarness();

describe('client address', () => {
  it('ignores X-Forwarded-For unless TRUST_PROXY is set, then takes the hop the proxy appended', async () => {
    const fail = (ip: string) => h.call('POST', '/api/auth/login', { body: { username: 'nobody', password: 'wrong' }, headers: { 'x-forwarded-for': `6.6.6.6, ${ip}` } });
    await fail('10.1.1.1');
    h.deps.env.TRUST_PROXY = true;
    try {
      await fail('10.2.2.2');
    } finally {
      h.deps.env.TRUST_PROXY = undefined;
    }
    const rows = await h.deps.db.selectFrom('auditLog').select('ip').where('mutationName', '=', 'auth.login').orderBy('at').execute();
    expect(rows.map((r) => r.ip)).toEqual([null, '10.2.2.2']);
  });
});
