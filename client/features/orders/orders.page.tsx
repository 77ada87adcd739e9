// Orders for planners: the route picks the screen (the list, one order, the new-order form); each
// screen is a file of its own in this folder.
import { NewOrder } from './new-order';
import { OrderDetail } from './order-detail';
import { OrderList } from './order-list';
import '../planning/planning.css';

export default function OrdersPage({ id }: { id?: string }) {
  if (id === 'new') return <NewOrder />;
  return id ? <OrderDetail id={id} /> : <OrderList />;
}
