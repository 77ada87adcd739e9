// The history of a reject, a return or a corrective action: the audit trail (client/features/audit)
// read from /api/quality/history, which answers whoever may see the row (a supervisor too), with
// ids shown as the names people know and states and dispositions in words.
import type { TableName } from '../../../sync/tables';
import { AuditTrail } from '../audit/audit-trail';
import { words } from '../../ui/format';
import type { Lookups } from '../shared/lookups';

const PEOPLE = new Set(['approvedBy', 'verifiedBy', 'ownerId', 'reportedBy']);
const WORDS = new Set(['disposition', 'sourceType']);

export function QualityHistory({ table, id, lookups }: { table: Extract<TableName, 'rejects' | 'customerReturns' | 'correctiveActions'>; id: string; lookups: Lookups }) {
  const format = (field: string, v: unknown): string | undefined => {
    if (v === null || v === undefined || v === '') return undefined;
    if (PEOPLE.has(field)) return lookups.users.get(String(v))?.displayName ?? 'someone';
    if (field === 'departmentId') return lookups.departments.get(String(v))?.name ?? 'a department';
    if (field === 'departmentIds' && Array.isArray(v)) return v.map((d) => lookups.departments.get(String(d))?.name ?? 'a department').join(', ');
    if (field === 'productId') { const p = lookups.products.get(String(v)); return p ? `${p.sku} ${p.name}` : undefined; }
    if (WORDS.has(field)) return words(String(v));
    return undefined;
  };
  return (
    <AuditTrail table={table} id={id} title="History" format={format} alsoShow={['departmentId', 'ownerId']}
      url={`/api/quality/history?${new URLSearchParams({ entity: table, id })}`} />
  );
}
