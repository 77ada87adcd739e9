import { describe, expect, it } from 'vitest';
import { mayAdminister, mayImport, mayViewAudit } from './permissions';
import { ROLES } from './roles';

describe('screen access', () => {
  it('only admins and managers read the audit trail and import orders', () => {
    expect(ROLES.filter(mayViewAudit)).toEqual(['admin', 'manager']);
    expect(ROLES.filter(mayImport)).toEqual(['admin', 'manager']);
  });

  it('only admins maintain master data', () => {
    expect(ROLES.filter(mayAdminister)).toEqual(['admin']);
  });
});
