import { useTranslation } from 'react-i18next';
import type { RecoverySectionProps } from './sections';

export function WorklistSection(_props: RecoverySectionProps) {
  const { t } = useTranslation();
  return <p className="muted">{t('recovery.placeholder')}</p>;
}
