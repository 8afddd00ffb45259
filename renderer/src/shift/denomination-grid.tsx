import { useTranslation } from 'react-i18next';
import type { DenominationView } from '../../../main/contract/index.js';
import { formatFen } from '../format';

export type Counts = Readonly<Record<string, string>>;

/** Pieces typed per denomination → the counts the core takes (blank = 0); null while one is not a whole number. */
export function countsOf(counts: Counts): Record<string, number> | null {
  const out: Record<string, number> = {};
  for (const [id, text] of Object.entries(counts)) {
    const v = text.trim();
    if (v === '') continue;
    if (!/^\d{1,7}$/.test(v)) return null;
    out[id] = Number(v);
  }
  return out;
}

/** Notes and coins with pieces, subtotal and total: the float at open and the blind count at close. */
export function DenominationGrid({
  denominations,
  counts,
  onChange,
  testId,
}: {
  readonly denominations: readonly DenominationView[];
  readonly counts: Counts;
  readonly onChange: (next: Counts) => void;
  readonly testId: string;
}) {
  const { t } = useTranslation();
  let total = 0;
  const rows = denominations.map((d) => {
    const text = counts[d.id] ?? '';
    const pieces = /^\d{1,7}$/.test(text.trim()) ? Number(text.trim()) : 0;
    total += pieces * d.fen;
    return { d, text, sub: pieces * d.fen };
  });
  return (
    <table className="denoms" data-testid={testId}>
      <thead>
        <tr>
          <th>{t(`shift.kind.note`)} / {t('shift.kind.coin')}</th>
          <th className="num">{t('shift.ui.pieces')}</th>
          <th className="num">{t('shift.ui.subtotal')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(({ d, text, sub }) => (
          <tr key={d.id} className={d.kind}>
            <td>
              <label htmlFor={`${testId}-${d.id}`}>{t(`shift.denom.${d.id}`)}</label>
            </td>
            <td className="num">
              <input
                id={`${testId}-${d.id}`}
                data-testid={`${testId}-${d.id}`}
                inputMode="numeric"
                autoComplete="off"
                value={text}
                onChange={(e) => onChange({ ...counts, [d.id]: e.target.value })}
              />
            </td>
            <td className="num">{formatFen(sub)}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th colSpan={2}>{t('shift.ui.total')}</th>
          <th className="num" data-testid={`${testId}-total`}>{formatFen(total)}</th>
        </tr>
      </tfoot>
    </table>
  );
}
