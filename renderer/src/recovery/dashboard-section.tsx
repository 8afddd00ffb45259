import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AgeingBucketView, ExportedFile, RecoveryDashboardView, RecoveryRowView, WireError } from '../../../main/contract/index.js';
import { formatFen } from '../format';
import type { Language } from '../i18n';
import { call, useErrorText } from '../rpc';
import { EChart, type ChartOption } from './echart';
import type { RecoverySectionProps } from './sections';
import './dashboard.css';

type Dimension = 'period' | 'area' | 'customerClass' | 'grade';
const CLASSES = ['residential', 'commercial', 'industrial', 'agricultural'] as const;

/** The money axis in the reader's units: 万 (ten thousand yuan) in Chinese, thousands (k) in English. */
function yuanAxis(yuan: number, language: Language): string {
  return language === 'zh-CN' ? `${Number((yuan / 10_000).toFixed(1))}万` : `${Number((yuan / 1000).toFixed(0)).toLocaleString('en-US')}k`;
}

export function percentText(bp: number | null): string {
  return bp === null ? '—' : `${(bp / 100).toFixed(2)}%`;
}

function download(file: ExportedFile): void {
  const bytes = Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: file.mimeType }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file.fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

interface Filters {
  from: string;
  to: string;
  area: string;
  customerClass: string;
  grade: string;
}

function query(f: Filters) {
  return {
    ...(f.from ? { from: f.from } : {}),
    ...(f.to ? { to: f.to } : {}),
    ...(f.area ? { area: f.area } : {}),
    ...(f.customerClass ? { customerClass: f.customerClass as (typeof CLASSES)[number] } : {}),
    ...(f.grade ? { grade: f.grade } : {}),
  };
}

/**
 * The recovery-rate dashboard (电费回收率): the area's recovery by month, area, class and grade,
 * arrears ageing and late-fee income (from the backend), and this terminal's clerks; charts by
 * ECharts, tables, CSV/XLSX export and print (the browser's, with a print stylesheet).
 */
export function DashboardSection(_props: RecoverySectionProps) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const language = i18n.language as Language;
  const [filters, setFilters] = useState<Filters>({ from: '', to: '', area: '', customerClass: '', grade: '' });
  const [view, setView] = useState<RecoveryDashboardView | null>(null);
  const [error, setError] = useState<WireError | null>(null);
  const [busy, setBusy] = useState(false);

  const load = async (f: Filters) => {
    setBusy(true);
    setError(null);
    const r = await call('recovery.dashboard', query(f));
    setBusy(false);
    if (!r.ok) return setError(r.error);
    setView(r.result);
    // The range the core chose becomes the form's, so the next query and the export match it.
    setFilters((old) => ({ ...old, from: r.result.from, to: r.result.to }));
  };
  useEffect(() => {
    void load(filters);
    // Once, on opening: later queries come from the form.
  }, []);

  const exportAs = async (format: 'csv' | 'xlsx') => {
    const r = await call('recovery.dashboardExport', { ...query(filters), format, locale: language });
    if (!r.ok) return setError(r.error);
    download(r.result);
  };

  const set = (k: keyof Filters) => (e: { target: { value: string } }) => setFilters((f) => ({ ...f, [k]: e.target.value }));
  const area = view?.area ?? null;
  const label = (d: Dimension, key: string) => (d === 'customerClass' ? t(`account.classes.${key}`) : key);

  const monthChart = useMemo<ChartOption | null>(() => {
    if (!area) return null;
    const months = area.byMonth.map((r) => r.key);
    return {
      animation: false,
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 64, right: 56, top: 36, bottom: 28 },
      xAxis: { type: 'category', data: months },
      yAxis: [
        { type: 'value', name: '¥', axisLabel: { formatter: (v: number) => yuanAxis(v, language) } },
        { type: 'value', name: '%', min: 0, max: 100 },
      ],
      series: [
        { name: t('recovery.dashboard.column.billed'), type: 'bar', data: area.byMonth.map((r) => r.billedFen / 100), itemStyle: { color: '#9db7e0' } },
        { name: t('recovery.dashboard.column.collected'), type: 'bar', data: area.byMonth.map((r) => r.collectedFen / 100), itemStyle: { color: '#1f6feb' } },
        {
          name: t('recovery.dashboard.column.rate'),
          type: 'line',
          yAxisIndex: 1,
          data: area.byMonth.map((r) => (r.rateBp === null ? null : r.rateBp / 100)),
          itemStyle: { color: '#d9480f' },
        },
      ],
    };
  }, [area, t, language]);

  const ageingChart = useMemo<ChartOption | null>(() => {
    if (!area) return null;
    return {
      animation: false,
      tooltip: { trigger: 'axis' },
      grid: { left: 72, right: 16, top: 16, bottom: 56 },
      xAxis: { type: 'category', data: area.ageing.map((b) => ageingLabel(b, t)), axisLabel: { interval: 0, rotate: 30, fontSize: 10 } },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => `${Math.round(v / 100)}` } },
      series: [{ name: t('recovery.dashboard.column.outstanding'), type: 'bar', data: area.ageing.map((b) => b.outstandingFen / 100), itemStyle: { color: '#c92a2a' } }],
    };
  }, [area, t]);

  const areaChart = useMemo<ChartOption | null>(() => {
    if (!area) return null;
    const rows = [...area.byArea, ...area.byGrade.map((r) => ({ ...r, key: `${t('recovery.dashboard.grade')} ${r.key}` }))];
    return {
      animation: false,
      tooltip: { trigger: 'axis' },
      grid: { left: 48, right: 16, top: 16, bottom: 56 },
      xAxis: { type: 'category', data: rows.map((r) => r.key), axisLabel: { interval: 0, rotate: 30, fontSize: 10 } },
      yAxis: { type: 'value', min: 0, max: 100 },
      series: [{ name: t('recovery.dashboard.column.rate'), type: 'bar', data: rows.map((r) => (r.rateBp === null ? null : r.rateBp / 100)), itemStyle: { color: '#2b8a3e' } }],
    };
  }, [area, t]);

  return (
    <section className="recovery-dashboard" aria-labelledby="recovery-dashboard-title">
      <h2 id="recovery-dashboard-title">{t('recovery.dashboard.title')}</h2>
      <form
        className="dashboard-filters no-print"
        onSubmit={(e) => {
          e.preventDefault();
          void load(filters);
        }}
      >
        <label>
          {t('recovery.dashboard.from')}
          <input type="month" value={filters.from} onChange={set('from')} data-testid="dashboard-from" />
        </label>
        <label>
          {t('recovery.dashboard.to')}
          <input type="month" value={filters.to} onChange={set('to')} data-testid="dashboard-to" />
        </label>
        <label>
          {t('recovery.dashboard.area')}
          <select value={filters.area} onChange={set('area')} data-testid="dashboard-area">
            <option value="">{t('recovery.dashboard.all')}</option>
            {(area?.options.areas ?? []).map((a) => (
              <option key={a} value={a}>{a}</option>
            ))}
          </select>
        </label>
        <label>
          {t('recovery.dashboard.customerClass')}
          <select value={filters.customerClass} onChange={set('customerClass')} data-testid="dashboard-class">
            <option value="">{t('recovery.dashboard.all')}</option>
            {CLASSES.map((c) => (
              <option key={c} value={c}>{t(`account.classes.${c}`)}</option>
            ))}
          </select>
        </label>
        <label>
          {t('recovery.dashboard.grade')}
          <select value={filters.grade} onChange={set('grade')} data-testid="dashboard-grade">
            <option value="">{t('recovery.dashboard.all')}</option>
            {(area?.options.grades ?? []).map((g) => (
              <option key={g} value={g}>{g}</option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={busy} data-testid="dashboard-show">{t('recovery.dashboard.refresh')}</button>
        <button type="button" className="secondary" onClick={() => void exportAs('csv')} data-testid="dashboard-export-csv">{t('recovery.dashboard.exportCsv')}</button>
        <button type="button" className="secondary" onClick={() => void exportAs('xlsx')} data-testid="dashboard-export-xlsx">{t('recovery.dashboard.exportXlsx')}</button>
        <button type="button" className="secondary" onClick={() => window.print()} data-testid="dashboard-print">{t('recovery.dashboard.print')}</button>
      </form>
      {error && <p role="alert" className="error">{errorText(error)}</p>}
      {busy && !view && <p className="muted">{t('recovery.dashboard.loading')}</p>}
      {view && (
        <>
          <p className="muted" data-testid="dashboard-range">
            {t('recovery.dashboard.periodRange', { from: view.from, to: view.to })}
            {area && ` · ${t('recovery.dashboard.asOf', { asOf: area.asOf.slice(0, 16).replace('T', ' '), today: view.today })}`}
          </p>
          {view.areaUnavailable && <p role="status" className="warning" data-testid="dashboard-area-unavailable">{t(view.areaUnavailable)}</p>}
          {area && (
            <>
              <div className="dashboard-kpis" data-testid="dashboard-kpis">
                <Kpi label={t('recovery.dashboard.kpi.rate')} value={percentText(area.total.rateBp)} testId="kpi-rate" />
                <Kpi label={t('recovery.dashboard.kpi.householdRate')} value={percentText(area.total.householdRateBp)} />
                <Kpi label={t('recovery.dashboard.kpi.onTimeRate')} value={percentText(area.total.onTimeRateBp)} />
                <Kpi label={t('recovery.dashboard.kpi.outstanding')} value={formatFen(area.total.outstandingFen)} />
                <Kpi label={t('recovery.dashboard.kpi.lateFees')} value={formatFen(area.total.lateFeeFen)} testId="kpi-late-fees" />
                <Kpi
                  label={t('recovery.dashboard.notices.kpi', { days: view.notices.withinDays })}
                  value={`${percentText(view.notices.rateBp)} (${view.notices.paidWithin}/${view.notices.sent - view.notices.pending})`}
                  testId="kpi-notices"
                />
              </div>
              {area.total.bills === 0 && <p className="muted">{t('recovery.dashboard.noData')}</p>}
              <div className="dashboard-charts">
                {monthChart && (
                  <figure className="wide">
                    <figcaption>{t('recovery.dashboard.chartBilled')}</figcaption>
                    <EChart option={monthChart} label={t('recovery.dashboard.chartBilled')} testId="chart-months" />
                  </figure>
                )}
                {ageingChart && (
                  <figure>
                    <figcaption>{t('recovery.dashboard.chartAgeing')}</figcaption>
                    <EChart option={ageingChart} label={t('recovery.dashboard.chartAgeing')} height={220} testId="chart-ageing" />
                  </figure>
                )}
                {areaChart && (
                  <figure>
                    <figcaption>{`${t('recovery.dashboard.byArea')} / ${t('recovery.dashboard.byGrade')}`}</figcaption>
                    <EChart option={areaChart} label={t('recovery.dashboard.byArea')} height={220} testId="chart-areas" />
                  </figure>
                )}
              </div>
              <RecoveryTable title={t('recovery.dashboard.byMonth')} dimension="period" rows={area.byMonth} total={area.total} label={label} testId="table-months" />
              <RecoveryTable title={t('recovery.dashboard.byArea')} dimension="area" rows={area.byArea} total={area.total} label={label} testId="table-areas" />
              <RecoveryTable title={t('recovery.dashboard.byClass')} dimension="customerClass" rows={area.byClass} total={area.total} label={label} testId="table-classes" />
              <RecoveryTable title={t('recovery.dashboard.byGrade')} dimension="grade" rows={area.byGrade} total={area.total} label={label} testId="table-grades" />
              <AgeingTable buckets={area.ageing} />
            </>
          )}
          <ClerkTable view={view} />
        </>
      )}
    </section>
  );
}

function ageingLabel(b: AgeingBucketView, t: (k: string, v?: Record<string, unknown>) => string): string {
  if (b.id === 'not_due') return t('recovery.dashboard.ageing.notDue');
  return b.toDays === null ? t('recovery.dashboard.ageing.over', { days: b.fromDays - 1 }) : t('recovery.dashboard.ageing.range', { from: b.fromDays, to: b.toDays });
}

function Kpi({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className="kpi" data-testid={testId}>
      <span className="kpi-label">{label}</span>
      <span className="kpi-value">{value}</span>
    </div>
  );
}

function RecoveryTable(props: { title: string; dimension: Dimension; rows: readonly RecoveryRowView[]; total: RecoveryRowView; label: (d: Dimension, k: string) => string; testId: string }) {
  const { t } = useTranslation();
  const cols = ['billed', 'collected', 'outstanding', 'rate', 'onTimeRate', 'bills', 'paidBills', 'householdRate', 'lateFees'] as const;
  const cells = (r: RecoveryRowView) => [
    formatFen(r.billedFen),
    formatFen(r.collectedFen),
    formatFen(r.outstandingFen),
    percentText(r.rateBp),
    percentText(r.onTimeRateBp),
    String(r.bills),
    String(r.paidBills),
    percentText(r.householdRateBp),
    formatFen(r.lateFeeFen),
  ];
  return (
    <table className="dashboard-table" data-testid={props.testId}>
      <caption>{props.title}</caption>
      <thead>
        <tr>
          <th scope="col">{t(`recovery.dashboard.dimension.${props.dimension}`)}</th>
          {cols.map((c) => (
            <th scope="col" key={c}>{t(`recovery.dashboard.column.${c}`)}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((r) => (
          <tr key={r.key}>
            <th scope="row">{props.label(props.dimension, r.key)}</th>
            {cells(r).map((c, i) => (
              <td key={i}>{c}</td>
            ))}
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row">{t('recovery.dashboard.total')}</th>
          {cells(props.total).map((c, i) => (
            <td key={i}>{c}</td>
          ))}
        </tr>
      </tfoot>
    </table>
  );
}

function AgeingTable({ buckets }: { buckets: readonly AgeingBucketView[] }) {
  const { t } = useTranslation();
  return (
    <table className="dashboard-table" data-testid="table-ageing">
      <caption>{t('recovery.dashboard.ageing.title')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('recovery.dashboard.ageing.bucket')}</th>
          <th scope="col">{t('recovery.dashboard.column.outstanding')}</th>
          <th scope="col">{t('recovery.dashboard.column.unpaidBills')}</th>
        </tr>
      </thead>
      <tbody>
        {buckets.map((b) => (
          <tr key={b.id}>
            <th scope="row">{ageingLabel(b, t)}</th>
            <td>{formatFen(b.outstandingFen)}</td>
            <td>{b.bills}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ClerkTable({ view }: { view: RecoveryDashboardView }) {
  const { t } = useTranslation();
  const cols = ['clerk', 'payments', 'accounts', 'amount', 'principal', 'arrears', 'lateFees', 'share', 'reversals', 'noticesSent', 'noticesPaid', 'noticeRate'] as const;
  return (
    <table className="dashboard-table" data-testid="table-clerks">
      <caption>{t('recovery.dashboard.clerks.title')}</caption>
      <thead>
        <tr>
          {cols.map((c) => (
            <th scope="col" key={c}>{t(`recovery.dashboard.clerks.column.${c}`, { days: view.notices.withinDays })}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {view.clerks.length === 0 && (
          <tr>
            <td colSpan={cols.length} className="muted">{t('recovery.dashboard.clerks.none')}</td>
          </tr>
        )}
        {view.clerks.map((c) => (
          <tr key={c.operatorId}>
            <th scope="row">{`${c.operatorId} ${c.name}`.trim()}</th>
            <td>{c.payments}</td>
            <td>{c.accounts}</td>
            <td>{formatFen(c.amountFen)}</td>
            <td>{formatFen(c.principalFen)}</td>
            <td>{formatFen(c.arrearsRecoveredFen)}</td>
            <td>{formatFen(c.lateFeeFen)}</td>
            <td>{percentText(c.shareBp)}</td>
            <td>{c.reversals}</td>
            <td>{c.notices.sent}</td>
            <td>{c.notices.paidWithin}</td>
            <td>{percentText(c.notices.rateBp)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
