import { useTranslation } from 'react-i18next';
import type { RecoverySectionProps } from './sections';

export function NoticesSection(_props: RecoverySectionProps) {
  const { t } = useTranslation();
  return <p className="muted">{t('recovery.placeholder')}</p>;
}
