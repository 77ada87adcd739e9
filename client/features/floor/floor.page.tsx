// The "Floor now" page at /floor: a supervisor sees their department; managers and admins choose one
// (kept in the address as ?dept=CODE, so the dashboard and a wall tablet can link straight to it).
import { useSession } from '../../app-state';
import { Loading, PageHead, SelectField } from '../../ui/components';
import { navigate, path, query } from '../../ui/router';
import { useLookups } from '../shared/lookups';
import { FloorNow } from './floor-now';

export default function FloorPage() {
  const { db, user } = useSession();
  const lookups = useLookups(db);
  if (!lookups) return <Loading />;
  const departments = [...lookups.departments.values()].filter((d) => d.active && !d.deletedAt).sort((a, b) => a.name.localeCompare(b.name));
  const withMachines = departments.filter((d) => [...lookups.machines.values()].some((m) => m.departmentId === d.id && m.active && !m.deletedAt));
  const choosing = user.role !== 'supervisor';
  const wanted = query(path.value).get('dept');
  const picked = choosing
    ? departments.find((d) => d.code === wanted) ?? departments.find((d) => d.id === user.departmentId) ?? withMachines[0] ?? departments[0]
    : departments.find((d) => d.id === user.departmentId);

  return (
    <div class="floor-page">
      <PageHead title={picked ? `Floor now · ${picked.name}` : 'Floor now'}>
        {choosing && departments.length > 0 && (
          <div class="floor-pick">
            <SelectField label="Department" value={picked?.code ?? ''} onValue={(code) => navigate(`/floor?dept=${encodeURIComponent(code)}`, true)}
              options={departments.map((d) => ({ value: d.code, label: d.name }))} />
          </div>
        )}
      </PageHead>
      {picked ? <FloorNow departmentId={picked.id} /> : (
        <div class="form-error" role="alert">Your account has no department, so there is no floor to show. Ask an admin to set it.</div>
      )}
    </div>
  );
}
