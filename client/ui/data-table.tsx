// A sortable table of a report's figures: the readable alternative to each chart (screen readers,
// colour-blind readers, people who want the numbers). Sorting is a button in each header with
// aria-sort, so it works by keyboard and is announced.
import type { ComponentChildren } from 'preact';
import { useMemo, useState } from 'preact/hooks';

export interface Column<R> {
  key: string;
  label: string;
  /** The value sorted on; also shown unless `render` is given. */
  value: (row: R) => string | number | null;
  render?: (row: R) => ComponentChildren;
  numeric?: boolean;
}

export function DataTable<R>({ caption, columns, rows, initialSort }: {
  caption: string;
  columns: Column<R>[];
  rows: R[];
  initialSort?: { key: string; dir: 'asc' | 'desc' };
}) {
  const [sort, setSort] = useState(initialSort ?? null);
  const sorted = useMemo(() => {
    const col = sort && columns.find((c) => c.key === sort.key);
    if (!col || !sort) return rows;
    const sign = sort.dir === 'asc' ? 1 : -1;
    return [...rows].sort((a, b) => sign * compare(col.value(a), col.value(b)));
  }, [rows, sort, columns]);
  const toggle = (key: string) =>
    setSort((s) => (s?.key === key ? { key, dir: s.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: 'asc' }));
  return (
    <div class="table-wrap">
      <table class="data-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th scope="col" class={c.numeric ? 'num' : undefined}
                aria-sort={sort?.key === c.key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
                <button type="button" class="sort" onClick={() => toggle(c.key)}>
                  {c.label}<span aria-hidden="true">{sort?.key === c.key ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}</span>
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {sorted.length === 0 && <tr><td colSpan={columns.length}>No rows.</td></tr>}
          {sorted.map((r) => (
            <tr>
              {columns.map((c) => <td class={c.numeric ? 'num' : undefined}>{c.render ? c.render(r) : show(c.value(r))}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function show(v: string | number | null) {
  return v == null ? '—' : v;
}

/** Nulls last either way; numbers by value; text by the reader's locale. */
function compare(a: string | number | null, b: string | number | null): number {
  if (a == null || b == null) return a == null ? (b == null ? 0 : 1) : -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}
