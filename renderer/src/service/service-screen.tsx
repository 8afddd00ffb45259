import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApplicationsPanel } from './applications-panel';
import { ComplaintsPanel } from './complaints-panel';
import { DisplayPairing } from './display-pairing';
import { RatingsReport } from './ratings-report';
import { RecommendationsPanel } from './recommendations-panel';
import './service.css';

type Section = 'complaints' | 'applications' | 'recommendations' | 'ratings';

/** The service tab: the customer display's pairing on top, then one section at a time. */
export function ServiceScreen() {
  const { t } = useTranslation();
  const [section, setSection] = useState<Section>('complaints');
  const sections: readonly Section[] = ['complaints', 'applications', 'recommendations', 'ratings'];
  return (
    <div className="service" data-testid="service-screen">
      <DisplayPairing />
      <nav className="service-sections" aria-label={t('service.tabs.service')}>
        {sections.map((s) => (
          <button key={s} type="button" className={s === section ? '' : 'secondary'} aria-pressed={s === section} onClick={() => setSection(s)} data-testid={`service-section-${s}`}>
            {t(`service.sections.${s}`)}
          </button>
        ))}
      </nav>
      {section === 'complaints' && <ComplaintsPanel />}
      {section === 'applications' && <ApplicationsPanel />}
      {section === 'recommendations' && <RecommendationsPanel />}
      {section === 'ratings' && <RatingsReport />}
    </div>
  );
}
