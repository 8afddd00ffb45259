import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApplicationTypeId, ApplicationTypeView, ApplicationView, WireError } from '../../../main/contract/index.js';
import { call, useErrorText } from '../rpc';

/**
 * Take a service application in four steps — type, the few fields its rule needs, the documents
 * seen, accept — then print the acceptance slip with its reference number.
 */
export function ApplicationsPanel() {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const [types, setTypes] = useState<readonly ApplicationTypeView[]>([]);
  const [typeId, setTypeId] = useState<ApplicationTypeId | null>(null);
  const [accountNo, setAccountNo] = useState('');
  const [fields, setFields] = useState<Record<string, string>>({});
  const [docs, setDocs] = useState<readonly string[]>([]);
  const [made, setMade] = useState<ApplicationView | null>(null);
  const [slip, setSlip] = useState<{ printed: boolean; error: WireError | null } | null>(null);
  const [list, setList] = useState<readonly ApplicationView[]>([]);
  const [error, setError] = useState<WireError | null>(null);

  const loadList = async () => {
    const r = await call('application.list', {});
    if (r.ok) setList(r.result.items);
  };
  useEffect(() => {
    void call('application.types', {}).then((r) => r.ok && setTypes(r.result.types));
    void loadList();
  }, []);

  const type = types.find((x) => x.id === typeId) ?? null;
  const choose = (id: ApplicationTypeId) => {
    setTypeId(id);
    setFields({});
    setDocs([]);
    setMade(null);
    setSlip(null);
    setError(null);
  };

  const accept = async () => {
    if (!type) return;
    setError(null);
    // The account is looked up first, as at the counter, so the core has it (and its bills) cached.
    if (type.needsAccount && accountNo.trim()) {
      const found = await call('account.lookup', { accountNo: accountNo.trim() });
      if (!found.ok) {
        setError(found.error);
        return;
      }
    }
    const r = await call('application.create', {
      requestId: crypto.randomUUID(),
      type: type.id,
      ...(type.needsAccount && accountNo.trim() ? { accountNo: accountNo.trim() } : {}),
      fields,
      documents: [...docs],
    });
    if (!r.ok) setError(r.error);
    else {
      setMade(r.result);
      await loadList();
    }
  };

  const print = async () => {
    if (!made) return;
    const r = await call('application.printSlip', { applicationId: made.applicationId, locale: i18n.language === 'en' ? 'en' : 'zh-CN' });
    if (r.ok) setSlip({ printed: r.result.printed, error: r.result.error });
    else setError(r.error);
  };

  return (
    <div className="service-panel">
      <section className="card" aria-label={t('service.application.new')}>
        <h2>{t('service.application.new')}</h2>
        <div className="app-types" role="group" aria-label={t('service.application.type')}>
          {types.map((x) => (
            <button key={x.id} type="button" className={x.id === typeId ? '' : 'secondary'} aria-pressed={x.id === typeId} onClick={() => choose(x.id)} data-testid={`app-type-${x.id}`}>
              {t(`service.application.types.${x.id}`)}
            </button>
          ))}
        </div>
        {type && (
          <form
            className="app-form"
            onSubmit={(e) => {
              e.preventDefault();
              void accept();
            }}
          >
            <p className="muted" data-testid="app-compare">
              {t('service.application.paperCompare', { fields: type.counterForm.fields, steps: type.counterForm.steps, paperFields: type.paperForm.fields, paperSteps: type.paperForm.steps })}
            </p>
            <div className="row">
              {type.needsAccount && (
                <label>
                  {t('service.application.account')}
                  <input value={accountNo} inputMode="numeric" onChange={(e) => setAccountNo(e.target.value)} data-testid="app-account" />
                </label>
              )}
              {type.fields.map((f) => (
                <label key={f}>
                  {t(`service.application.fields.${f}`)}
                  <input value={fields[f] ?? ''} onChange={(e) => setFields((m) => ({ ...m, [f]: e.target.value }))} data-testid={`app-field-${f}`} />
                </label>
              ))}
            </div>
            <fieldset className="docs">
              <legend>{t('service.application.documentsSeen')}</legend>
              {type.documents.map((d) => (
                <label key={d} className="check">
                  <input type="checkbox" checked={docs.includes(d)} onChange={(e) => setDocs((ds) => (e.target.checked ? [...ds, d] : ds.filter((x) => x !== d)))} data-testid={`app-doc-${d}`} />
                  {t(`service.application.documents.${d}`)}
                </label>
              ))}
            </fieldset>
            <button type="submit" data-testid="app-accept">
              {t('service.application.accept')}
            </button>
          </form>
        )}
        {error && <p className="error" role="alert" data-testid="app-error">{errorText(error)}</p>}
        {made && (
          <div className="app-made" data-testid="app-made">
            <p className="ok">
              {t('service.application.accepted', { referenceNo: made.referenceNo })} · {t(`service.application.statuses.${made.status}`)}
            </p>
            <button type="button" onClick={() => void print()} data-testid="app-print">
              {t('service.application.printSlip')}
            </button>
            {slip && (
              <p className={slip.printed ? 'ok' : 'error'} data-testid="app-slip">
                {slip.printed ? t('service.application.slipPrinted') : `${t('service.application.slipFailed')}${slip.error ? `: ${errorText(slip.error)}` : ''}`}
              </p>
            )}
          </div>
        )}
      </section>
      <section className="card" aria-label={t('service.application.list')}>
        <h2>{t('service.application.list')}</h2>
        {list.length === 0 && <p>{t('service.application.none')}</p>}
        <table className="service-table" data-testid="app-list">
          <tbody>
            {list.map((a) => (
              <tr key={a.applicationId}>
                <td>{a.referenceNo}</td>
                <td>{t(`service.application.types.${a.type}`)}</td>
                <td>{a.accountNo ?? ''}</td>
                <td>{t(`service.application.statuses.${a.status}`)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
