import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Role } from '../../../main/contract/index.js';
import { call } from '../rpc';
import type { RecoverySection } from './sections';
import './recovery.css';

/**
 * The recovery desk (电费回收): one counter screen whose sub-sections come from a list, so each part
 * of the recovery work (worklist, notices, contacts, dashboard, promotion) plugs in on its own.
 */
export function makeRecoveryScreen(sections: readonly RecoverySection[]) {
  return function RecoveryScreen() {
    const { t } = useTranslation();
    const [role, setRole] = useState<Role | null>(null);
    const [sectionId, setSectionId] = useState<string | null>(null);
    const [accountNo, setAccountNo] = useState<string | null>(null);
    useEffect(() => {
      void call('session.current', {}).then((r) => r.ok && r.result && setRole(r.result.role));
    }, []);
    const visible = role ? sections.filter((s) => s.roles.includes(role)) : [];
    const active = visible.find((s) => s.id === sectionId) ?? visible[0];
    const open = (id: string, acc?: string | null) => {
      setSectionId(id);
      if (acc !== undefined) setAccountNo(acc);
    };
    return (
      <section className="recovery" aria-label={t('recovery.title')}>
        <nav className="recovery-sections" aria-label={t('recovery.sectionsLabel')}>
          {visible.map((s) => (
            <button
              key={s.id}
              type="button"
              className={s.id === active?.id ? 'active' : ''}
              aria-pressed={s.id === active?.id}
              data-section={s.id}
              onClick={() => open(s.id)}
            >
              {t(s.labelKey)}
            </button>
          ))}
        </nav>
        {active && <active.component key={active.id} accountNo={accountNo} open={open} />}
      </section>
    );
  };
}
