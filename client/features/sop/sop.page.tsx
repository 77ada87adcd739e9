// SOP compliance (issue 12): routes the module's screens — tickets list, raise form, a ticket's page,
// an NCR's form and print view, and the report — each in its own file.
import { SopList } from './sop-list';
import { SopRaise } from './sop-raise';
import { SopDetail } from './sop-detail';
import { NcrDetail } from './ncr-detail';
import { SopReport } from './sop-report';
import './sop.css';

export default function SopPage({ id, ncrId }: { id?: string; ncrId?: string }) {
  if (ncrId) return <NcrDetail id={ncrId} />;
  if (id === 'new') return <SopRaise />;
  if (id === 'report') return <SopReport />;
  return id ? <SopDetail id={id} /> : <SopList />;
}
