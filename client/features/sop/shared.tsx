// What the SOP screens share: the words for severities and escalation, and the overdue/escalated flag
// (colour and text, never colour alone).
import type { NcrReport, SopTicket } from '../../../sync/tables';
import type { Lookups } from '../shared/lookups';

export const SEVERITY_WORDS: Record<string, string> = { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low' };

export function Severity({ value }: { value: string }) {
  return <span class={`sev sev-${value}`}>{SEVERITY_WORDS[value] ?? value}</span>;
}

const OPEN = ['open', 'acknowledged', 'ncr_required', 'ncr_submitted'];

/** Whether the ticket is still waiting for its first answer past its due time. */
export function isOverdue(t: Pick<SopTicket, 'status' | 'dueAt'>, now = new Date().toISOString()) {
  return (t.status === 'open' || t.status === 'acknowledged') && t.dueAt < now;
}

/** The flag a list row and a ticket's page show: escalated (to whom) or overdue, with words. */
export function Flag({ t }: { t: SopTicket }) {
  if (!OPEN.includes(t.status)) return null;
  if (t.escalationLevel >= 2) return <span class="flag esc2" data-testid="flag">Escalated to managers</span>;
  if (t.escalationLevel === 1) return <span class="flag esc1" data-testid="flag">Escalated to head</span>;
  if (isOverdue(t)) return <span class="flag overdue" data-testid="flag">Overdue</span>;
  return null;
}

export function deptName(l: Lookups, id: string | null | undefined) {
  const d = id ? l.departments.get(id) : undefined;
  return d ? d.name : '—';
}

export function sopName(sops: Map<string, { code: string; title: string }>, id: string) {
  const s = sops.get(id);
  return s ? `${s.code} ${s.title}` : 'SOP';
}

/** The NCR of a ticket, if the device holds one. */
export function ncrOf(ncrs: NcrReport[] | undefined, ticketId: string) {
  return ncrs?.find((n) => n.sourceType === 'sop' && n.sourceId === ticketId && !n.deletedAt);
}

export const HISTORY_WORDS: Record<string, string> = {
  raised: 'Raised', escalated: 'Escalated', ncr_created: 'NCR opened', ncr_submitted: 'NCR submitted', ncr_returned: 'NCR returned',
  ncr_approved: 'NCR approved', created: 'Created', edited: 'Edited',
};
