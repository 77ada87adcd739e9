// Admin: the SLA targets per priority (hours to respond and to resolve), checked by the same rule
// the server applies (sync/sla.ts slaProblems) before it is sent.
import { useEffect, useState } from 'preact/hooks';
import { slaProblems, type SlaTargets } from '../../../sync/sla';
import { errorMessage, useSession } from '../../app-state';
import { keepConfig } from '../../db/config';
import { FormError, Loading, PageHead, TextField } from '../../ui/components';
import { MaintenanceNav } from './parts';

const NAMES = ['', '1 — urgent', '2 — high', '3 — normal', '4 — low'];

export default function SlaPage() {
  const { app, db } = useSession();
  const [values, setValues] = useState<Record<string, string> | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  useEffect(() => {
    app.request<{ sla: SlaTargets }>('/api/maintenance/sla').then((r) => {
      setValues(Object.fromEntries(Object.entries(r.sla).flatMap(([p, t]) => [[`${p}.responseHours`, String(t.responseHours)], [`${p}.resolutionHours`, String(t.resolutionHours)]])));
    }, (e) => setFailed(errorMessage(e)));
  }, []);
  if (failed) return <FormError message={`The SLA targets are read online: ${failed}`} />;
  if (!values) return <Loading />;
  async function save(e: Event) {
    e.preventDefault();
    setMessage(null);
    const sla = Object.fromEntries(['1', '2', '3', '4'].map((p) => [p, { responseHours: Number(values![`${p}.responseHours`]), resolutionHours: Number(values![`${p}.resolutionHours`]) }]));
    const problems = slaProblems(sla);
    setErrors(Object.fromEntries(problems.map((p) => [p.field, p.message])));
    if (problems.length) return setMessage('Check the marked fields.');
    try {
      await app.request('/api/maintenance/sla', { method: 'PUT', body: { sla } });
      await keepConfig(db, 'sla', sla);
      setMessage('Saved. New tickets are due by these targets.');
    } catch (err) {
      setMessage(errorMessage(err));
    }
  }
  return (
    <>
      <PageHead title="SLA targets" />
      <MaintenanceNav />
      <form class="card" onSubmit={save} noValidate>
        <p class="muted">Hours from when a ticket is raised. Time on hold waiting for parts or production does not count against resolution.</p>
        {message && <p role="status" class={Object.keys(errors).length ? 'form-error' : ''}>{message}</p>}
        {[1, 2, 3, 4].map((p) => (
          <fieldset key={p} class="grid two">
            <legend>Priority {NAMES[p]}</legend>
            <TextField label="Respond within (hours)" inputMode="decimal" value={values[`${p}.responseHours`]} onValue={(v) => setValues({ ...values, [`${p}.responseHours`]: v })} error={errors[`${p}.responseHours`]} />
            <TextField label="Resolve within (hours)" inputMode="decimal" value={values[`${p}.resolutionHours`]} onValue={(v) => setValues({ ...values, [`${p}.resolutionHours`]: v })} error={errors[`${p}.resolutionHours`]} />
          </fieldset>
        ))}
        <button class="btn primary big" type="submit">Save targets</button>
      </form>
    </>
  );
}
