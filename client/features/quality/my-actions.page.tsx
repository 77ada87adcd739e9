// "My actions": the corrective actions this user owns, wherever their source lives, held on the
// device (offline too): open ones first with the overdue flagged in red, then those waiting for
// verification, then the verified ones still in the sync window.
import { isOverdue } from '../../../sync/quality';
import { useSession } from '../../app-state';
import { useLive } from '../../db/live';
import { actionsOwnedBy, localToday } from '../../db/rows';
import { Empty, Loading, PageHead } from '../../ui/components';
import { useLookups } from '../shared/lookups';
import { ActionCard } from './actions';
import { DownloadCsv, qs } from '../../ui/download';
import { useUrlFilters } from '../../ui/router';

const VIEWS = [['To do', ['open']], ['Waiting for verification', ['done']], ['Verified', ['verified']]] as const;

export default function MyActionsPage() {
  const { db, user } = useSession();
  const lookups = useLookups(db);
  const rows = useLive(() => actionsOwnedBy(db, user.id), [db, user.id]);
  // The chip lives in the URL (/actions?show=…), named as the export's parameter.
  const [f, setF] = useUrlFilters({ show: VIEWS[0][0] as string });
  const view = Math.max(0, VIEWS.findIndex(([n]) => n === f.show));
  if (!rows || !lookups) return <Loading />;
  const today = localToday();
  const overdue = rows.filter((a) => isOverdue(a, today)).length;
  const states: readonly string[] = VIEWS[view][1];
  const shown = rows.filter((a) => states.includes(a.status));
  return (
    <>
      <PageHead title="My actions">
        <DownloadCsv path={`/api/actions/export.csv${qs({ show: VIEWS[view][0], ownerId: user.id, today })}`} />
      </PageHead>
      <p class="counts" data-testid="my-actions-counts">
        <span>{rows.filter((a) => a.status === 'open').length} to do</span>
        <span class={overdue ? 'overdue' : undefined}>{overdue} overdue</span>
        <span>{rows.filter((a) => a.status === 'done').length} waiting for verification</span>
      </p>
      <div class="chips" role="group" aria-label="Show">
        {VIEWS.map(([name], i) => <button key={name} class="chip" aria-pressed={view === i} onClick={() => setF({ show: name })}>{name}</button>)}
      </div>
      {shown.length === 0 ? <Empty>{view === 0 ? 'Nothing to do: no open corrective actions are yours.' : 'None here.'}</Empty> : (
        <ul class="action-list" data-testid="my-actions">
          {shown.map((a) => <ActionCard key={a.id} action={a} lookups={lookups} showSource />)}
        </ul>
      )}
    </>
  );
}
