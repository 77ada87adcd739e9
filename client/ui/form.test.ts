import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import { MachineFields, SupplierFields } from '../../sync/master-data';
import { friendly, validate } from './form';

describe('form messages', () => {
  it('a field error is a sentence that names the field, and no valibot wording reaches the screen', () => {
    expect(friendly('must be at most 100 characters', 'name')).toBe('Name must be at most 100 characters.');
    expect(friendly('is required', 'changes.workDone'.replace(/^changes\./, ''))).toBe('Work done is required.');
    expect(friendly('Invalid type: Expected number but received NaN', 'quantity')).toBe('Enter a number.');
    expect(friendly('Invalid type: Expected ("a" | "b") but received ""', 'type')).toBe('Choose one.');
    const bad = validate({ ...MachineFields, ...SupplierFields }, { code: '', name: 5, departmentId: '', status: 'x', hoursPerDay: Number.NaN, idealCycleSeconds: 1, allowParallel: 'no', contact: 'x'.repeat(101), email: 'nope', leadTimeDays: 1.5 })!;
    for (const message of Object.values(bad.fields)) {
      expect(message).not.toMatch(/Invalid|Expected|received/);
      expect(message).toMatch(/^[A-Z].*\.$/);
    }
    expect(Object.keys(bad.fields).sort()).toEqual(['allowParallel', 'code', 'contact', 'departmentId', 'email', 'hoursPerDay', 'leadTimeDays', 'name', 'status']);
    expect(v.is(v.object(MachineFields), {})).toBe(false);
  });
});
