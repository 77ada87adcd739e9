// What the finance screens share: the section tabs, money and percent as text, an amount typed by a
// person as cents (exactly, from its digits), and the "needs a connection" notice. Finance is online
// only: nothing of it is stored on the device.
import { formatCents } from '../../../sync/finance';
import { Empty, Link } from '../../ui/components';
import './finance.css';

const SECTIONS = [
  { href: '/finance', label: 'Costs' },
  { href: '/finance/suppliers', label: 'Suppliers' },
  { href: '/finance/profitability', label: 'Profitability' },
];

export function FinanceTabs({ current }: { current: string }) {
  return (
    <nav class="chips" aria-label="Finance">
      {SECTIONS.map((s) => <Link key={s.href} class="chip" href={s.href} aria-current={s.href === current ? 'page' : undefined}>{s.label}</Link>)}
    </nav>
  );
}

/** Cents as money text: 123456 → "1,234.56". */
export const money = (cents: number | null | undefined) => (cents == null ? '—' : formatCents(cents));

/** Basis points as a percentage: 1234 → "12.3 %". */
export const percent = (bp: number | null | undefined) => (bp == null ? '—' : `${(bp / 100).toFixed(1)} %`);

/** "12.34", "12,34" or "12" as cents; null when it is not an amount with at most two decimals. */
export function parseMoney(text: string): number | null {
  const t = text.trim().replace(/\s/g, '').replace(',', '.');
  const m = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(t);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/** Cents as the text an amount box starts with: 180 → "1.80". */
export const moneyInput = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;

export function NeedsConnection({ title }: { title: string }) {
  return <><h1>{title}</h1><Empty>Finance reads and writes the server directly: connect to the network to use this page.</Empty></>;
}

export function MarginText({ bp }: { bp: number | null }) {
  return <span class={bp !== null && bp < 0 ? 'loss' : undefined}>{percent(bp)}</span>;
}
