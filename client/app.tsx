// The root component: the sign-in gate, the shell and the route table (each feature a lazy chunk).
import { useErrorBoundary } from 'preact/hooks';
import { useEffect } from 'preact/hooks';
import LoginPage from './auth/login';
import { errorMessage, useApp } from './app-state';
import { Loading } from './ui/components';
import { lazyPage } from './ui/lazy';
import { match, navigate, path } from './ui/router';
import { homeFor, mayOpen, Shell } from './ui/shell';
import { mayEditSla, mayReadMaintenanceReport } from '../sync/permissions';

const Stages = lazyPage(() => import('./features/stages/stages.page'));
const Rejects = lazyPage(() => import('./features/rejects/rejects.page'));
const Maintenance = lazyPage(() => import('./features/maintenance/maintenance.page'));
const SyncIssues = lazyPage(() => import('./features/sync-issues/sync-issues.page'));
const Settings = lazyPage(() => import('./features/settings/settings.page'));
const Admin = lazyPage(() => import('./features/admin/admin.page'));
const Orders = lazyPage(() => import('./features/orders/orders.page'));
const Board = lazyPage(() => import('./features/planning/board.page'));
const Portal = lazyPage(() => import('./features/portal/portal.page'));
const Import = lazyPage(() => import('./features/import/import.page'));
// quality
const Returns = lazyPage(() => import('./features/quality/returns.page'));
const MyActions = lazyPage(() => import('./features/quality/my-actions.page'));
// quality reports (issue 11 §5)
const Quality = lazyPage(() => import('./features/quality-reports/quality.page'));
// SOP compliance (issue 12)
const Sop = lazyPage(() => import('./features/sop/sop.page'));
// finance (issue 14): desktop pages for managers and admins, online only
const FinanceCosts = lazyPage(() => import('./features/finance/costs.page'));
const FinanceBom = lazyPage(() => import('./features/finance/bom.page'));
const FinanceSuppliers = lazyPage(() => import('./features/finance/suppliers.page'));
const Profitability = lazyPage(() => import('./features/finance/profitability.page'));
// maintenance (issue 13)
const MaintenancePlans = lazyPage(() => import('./features/maintenance/plans.page'));
const MaintenanceCalendar = lazyPage(() => import('./features/maintenance/calendar.page'));
const MaintenanceReport = lazyPage(() => import('./features/maintenance/report.page'));
const MaintenanceSla = lazyPage(() => import('./features/maintenance/sla.page'));
const MachinePage = lazyPage(() => import('./features/maintenance/machine.page'));
const MachineLabels = lazyPage(() => import('./features/maintenance/labels.page'));
// dashboard (issue 15 §2): managers the plant, supervisors their department
const Dashboard = lazyPage(() => import('./features/dashboard/dashboard.page'));
// floor now (issue 15 §2): the supervisor's tablet view of the department
const Floor = lazyPage(() => import('./features/floor/floor.page'));

function Routes() {
  const app = useApp();
  const role = app.user.value!.role;
  const p = path.value;
  const allowed = (href: string) => mayOpen(role, href);
  let m: Record<string, string> | null;
  if ((m = match('/stages', p)) || (m = match('/stages/:id', p))) return allowed('/stages') ? <Stages id={m.id} /> : <NotAllowed />;
  if ((m = match('/rejects', p)) || (m = match('/rejects/:id', p))) return allowed('/rejects') ? <Rejects id={m.id} /> : <NotAllowed />;
  // maintenance (issue 13): the module's own pages before a ticket's /maintenance/:id
  if (match('/maintenance/plans', p)) return <MaintenancePlans />;
  if (match('/maintenance/calendar', p)) return <MaintenanceCalendar />;
  if (match('/maintenance/report', p)) return mayReadMaintenanceReport(role) ? <MaintenanceReport /> : <NotAllowed />;
  if (match('/maintenance/sla', p)) return mayEditSla(role) ? <MaintenanceSla /> : <NotAllowed />;
  if ((m = match('/machines', p)) || (m = match('/machines/:id', p))) return <MachinePage id={m.id} />;
  if (match('/admin/machines/labels', p)) return allowed('/admin') ? <MachineLabels /> : <NotAllowed />;
  if ((m = match('/maintenance', p)) || (m = match('/maintenance/:id', p))) return <Maintenance id={m.id} />;
  if (match('/sync-issues', p)) return <SyncIssues />;
  if (match('/settings', p)) return <Settings />;
  if ((m = match('/orders', p)) || (m = match('/orders/:id', p))) return allowed('/orders') ? <Orders id={m.id} /> : <NotAllowed />;
  if (match('/planning', p)) return allowed('/planning') ? <Board /> : <NotAllowed />;
  // Anyone on the floor (or a planner checking a machine) may open the portal; only the floor has it in the bar.
  if ((m = match('/portal', p)) || (m = match('/portal/machine/:code', p))) return <Portal code={m.code} />;
  if (match('/import', p)) return allowed('/import') ? <Import /> : <NotAllowed />;
  if (match('/quality', p)) return allowed('/quality') ? <Quality /> : <NotAllowed />;
  if ((m = match('/admin', p)) || (m = match('/admin/:resource', p))) return allowed('/admin') ? <Admin resource={m.resource} /> : <NotAllowed />;
  // quality
  if ((m = match('/returns', p)) || (m = match('/returns/:id', p))) return allowed('/returns') ? <Returns id={m.id} /> : <NotAllowed />;
  if (match('/actions', p)) return <MyActions />;
  // SOP compliance (issue 12): tickets, NCRs and the report (the report asks its own role rule).
  if ((m = match('/sop', p)) || (m = match('/sop/:id', p))) return <Sop id={m.id} />;
  if ((m = match('/ncr/:ncrId', p))) return <Sop ncrId={m.ncrId} />;
  // finance (issue 14)
  if (match('/finance', p)) return allowed('/finance') ? <FinanceCosts /> : <NotAllowed />;
  if (match('/finance/suppliers', p)) return allowed('/finance') ? <FinanceSuppliers /> : <NotAllowed />;
  if (match('/finance/profitability', p)) return allowed('/finance') ? <Profitability /> : <NotAllowed />;
  if ((m = match('/finance/products/:id', p))) return allowed('/finance') ? <FinanceBom id={m.id} /> : <NotAllowed />;
  // dashboard (issue 15 §2)
  if (match('/dashboard', p)) return allowed('/dashboard') ? <Dashboard /> : <NotAllowed />;
  // floor now (issue 15 §2)
  if (match('/floor', p)) return allowed('/floor') ? <Floor /> : <NotAllowed />;
  return <Home />;
}

function Home() {
  const app = useApp();
  useEffect(() => navigate(homeFor(app.user.value!.role), true), []);
  return <Loading />;
}

function NotAllowed() {
  return <div class="form-error">Your role has no access to this page.</div>;
}

function Guarded() {
  const app = useApp();
  const [error, reset] = useErrorBoundary((err) => app.reportError('Showing this page', err));
  if (error) {
    return (
      <div class="card">
        <h2>This page failed</h2>
        <p class="form-error">{errorMessage(error)}</p>
        <button class="btn" onClick={reset}>Try again</button>
      </div>
    );
  }
  return <Routes />;
}

export function App() {
  const app = useApp();
  if (!app.booted.value) return <Loading />;
  if (!app.session.value) return <LoginPage />;
  return (
    <Shell>
      <Guarded />
    </Shell>
  );
}
