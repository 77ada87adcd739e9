// Rejects: the log (works offline), the review list, and a reject's page (one screen per file here).
import { NewReject } from './new-reject';
import { RejectDetail } from './reject-detail';
import { RejectList } from './reject-list';

export default function RejectsPage({ id }: { id?: string }) {
  if (id === 'new') return <NewReject />;
  return id ? <RejectDetail id={id} /> : <RejectList />;
}
