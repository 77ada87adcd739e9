// Admin → Machines → Print labels: an A4 sheet of QR codes, one per machine (its code and name under
// it), made in the browser with uqr (decision 0020). The code holds the portal link of the machine,
// so a phone's own camera opens it too; the app's scanner reads the code from the end of the link.
import { useState } from 'preact/hooks';
import { renderSVG } from 'uqr';
import { useSession } from '../../app-state';
import { Link, Loading, PageHead } from '../../ui/components';
import { useLookups } from '../shared/lookups';
import './maintenance.css';

export default function LabelsPage() {
  const { db } = useSession();
  const lookups = useLookups(db);
  const [dept, setDept] = useState('');
  if (!lookups) return <Loading />;
  const machines = [...lookups.machines.values()].filter((m) => m.active && !m.deletedAt && (!dept || m.departmentId === dept)).sort((a, b) => a.code.localeCompare(b.code));
  const origin = typeof location === 'undefined' ? '' : location.origin;
  return (
    <>
      <p><Link href="/admin/machines">← Machines</Link></p>
      <PageHead title="Machine QR labels">
        <button class="btn primary" type="button" onClick={() => window.print()}>Print</button>
      </PageHead>
      <div class="filters">
        <select class="input" aria-label="Department" value={dept} onChange={(e) => setDept(e.currentTarget.value)}>
          <option value="">Every department</option>
          {[...lookups.departments.values()].filter((d) => !d.deletedAt).map((d) => <option key={d.id} value={d.id}>{d.name}</option>)}
        </select>
      </div>
      <p class="muted">A4, three labels a row. Cut along the dashed lines and stick each on its machine.</p>
      <div class="labels-sheet" data-testid="labels">
        {machines.map((m) => (
          <div class="qr-label" key={m.id} data-code={m.code}>
            {/* uqr's SVG is made here from the machine's code: no user HTML reaches innerHTML. */}
            <div role="img" aria-label={`QR code for ${m.code}`} dangerouslySetInnerHTML={{ __html: renderSVG(`${origin}/portal/machine/${encodeURIComponent(m.code)}`, { ecc: 'M', border: 1 }) }} />
            <span class="code">{m.code}</span>
            <span>{m.name}</span>
          </div>
        ))}
      </div>
    </>
  );
}
