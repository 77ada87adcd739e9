// Customer returns: the list, the intake form and a return's page (client/features/quality/return-*.tsx).
import { NewReturn } from './new-return';
import { ReturnDetail } from './return-detail';
import { ReturnList } from './return-list';

export default function ReturnsPage({ id }: { id?: string }) {
  if (id === 'new') return <NewReturn />;
  return id ? <ReturnDetail id={id} /> : <ReturnList />;
}
