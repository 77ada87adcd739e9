// Sync issues: every change the server refused or merged against this device, with the reason, the
// server's and this device's values, and the way out: apply mine again on the current version, or discard.
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import type { Row } from '../../../sync/tables';
import { useSession } from '../../app-state';
import type { SyncIssue } from '../../db/db';
import { useLive } from '../../db/live';
import { issueTarget, retryFor } from '../../sync/issues';
import { listIssues, resolveIssue, serverRow } from '../../db/sync-issues';
import { Empty, FormError, Link, Loading, PageHead, Status } from '../../ui/components';
import { useAction } from '../../ui/form';
import { fieldLabel, mutationLabel } from '../../../sync/labels';
import { formatTime as when, show, words } from '../../ui/format';
import { RefusedPhotos } from '../quality-photos/refused-photos';

const PAGE_OF: Record<string, string> = { maintenanceTickets: '/maintenance', rejects: '/rejects', stages: '/stages' };

export default function SyncIssuesPage() {
  const { db } = useSession();
  const [showResolved, setShowResolved] = useState(false);
  const issues = useLive(async () => {
    const list = await listIssues(db);
    return Promise.all(list.map(async (issue) => {
      const target = issueTarget(issue);
      return { issue, current: target ? await serverRow(db, target.table, target.id) : null };
    }));
  }, [db]);
  if (!issues) return <Loading />;
  const shown = issues.filter((i) => showResolved || !i.issue.resolved);
  return (
    <>
      <PageHead title="Sync issues">
        <button class="chip" aria-pressed={showResolved} onClick={() => setShowResolved(!showResolved)}>Show resolved</button>
      </PageHead>
      <p class="muted">Changes from this device that the server refused, or merged with someone else's edit. Nothing is lost: decide what happens to each.</p>
      <RefusedPhotos />
      {shown.length === 0 ? <Empty>No sync issues. Every change from this device went through.</Empty> : (
        <div class="list" data-testid="sync-issues">
          {shown.map(({ issue, current }) => <IssueCard key={issue.id} issue={issue} current={current} />)}
        </div>
      )}
    </>
  );
}

function IssueCard({ issue, current }: { issue: SyncIssue; current: Row | null }) {
  const { app, db, user } = useSession();
  const { errors, busy, run } = useAction();
  const target = issueTarget(issue);
  const retry = issue.resolved ? null : retryFor(issue, current, user.role);
  const args = issue.args as Record<string, unknown>;
  const changes = (args.changes ?? {}) as Record<string, unknown>;
  const number = current && typeof current.number === 'string' ? current.number : null;

  async function applyAgain() {
    if (!retry) return;
    await run(async () => {
      await app.redo(retry);
      await resolveIssue(db, issue.id);
    });
  }

  async function discard() {
    await run(() => resolveIssue(db, issue.id));
  }

  return (
    <article class="card" data-testid="sync-issue">
      <div class="top row" style="justify-content:space-between">
        <h2 style="margin:0">{describe(issue.name)}{number ? ` · ${number}` : ''}</h2>
        <span class="row"><Status value={issue.status} />{issue.resolved ? <span class="status s-closed">resolved</span> : null}</span>
      </div>
      <p class="small muted">Made on this device {when(issue.at)} · answered {when(issue.createdAt)}
        {target && PAGE_OF[target.table] && <> · <Link href={`${PAGE_OF[target.table]}/${target.id}`}>open</Link></>}
      </p>
      <p><strong>{issue.status === 'conflict' ? 'Someone else changed the same field first; the server kept their value.' : `Refused: ${issue.message ?? issue.code}`}</strong>
        {issue.code && <span class="small muted"> ({issue.code})</span>}
      </p>
      {issue.conflicts?.map((c) => (
        <div key={c.field} style="margin-bottom:10px">
          <h3>{fieldLabel(c.field)}</h3>
          <div class="compare">
            <div><span class="label">Before both edits</span>{show(c.base)}</div>
            <div class="theirs" data-testid="theirs"><span class="label">Server's value</span>{show(current?.[c.field] ?? c.theirs)}</div>
            <div class="mine" data-testid="mine"><span class="label">This device's value</span>{show(c.mine)}</div>
          </div>
        </div>
      ))}
      {issue.status === 'rejected' && (
        <div class="compare" style="margin-bottom:10px">
          {Object.keys(changes).length > 0 ? Object.entries(changes).map(([f, mine]) => (
            <Fragment key={f}>
              <div class="theirs"><span class="label">Server's {fieldLabel(f).toLowerCase()}</span>{current ? show(current[f]) : '(not on this device)'}</div>
              <div class="mine"><span class="label">This device's {fieldLabel(f).toLowerCase()}</span>{show(mine)}</div>
            </Fragment>
          )) : (
            <>
              {current && 'status' in current && <div class="theirs"><span class="label">Server's state</span>{words(String(current.status))}</div>}
              <div class="mine"><span class="label">This device sent</span>{summarize(args)}</div>
            </>
          )}
        </div>
      )}
      <FormError message={errors.form} />
      {!issue.resolved && (
        <div class="actions">
          {retry && (
            <button class="btn primary big" disabled={busy} onClick={applyAgain}>Apply mine again on the current version ({retry.summary})</button>
          )}
          <button class="btn big" onClick={discard}>Discard</button>
        </div>
      )}
    </article>
  );
}

/** What the change was, in the words of sync/labels.ts. */
function describe(name: string) {
  return mutationLabel(name);
}

function summarize(args: Record<string, unknown>) {
  if ('from' in args && 'to' in args) return `${words(String(args.from))} → ${words(String(args.to))}`;
  return Object.entries(args).filter(([k]) => k !== 'id').map(([k, v]) => `${fieldLabel(k)}: ${show(v)}`).join(', ');
}
