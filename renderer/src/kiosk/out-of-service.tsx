/** The whole kiosk cannot serve (nothing it could offer works): say so, in both languages, with the hall's hotline. */
import { useTranslation } from 'react-i18next';

export function OutOfServiceScreen({ hotline, reasonKey }: { readonly hotline: string; readonly reasonKey: string | null }) {
  const { i18n } = useTranslation();
  return (
    <div className="k-frame k-oos" data-testid="out-of-service" role="alert">
      <main className="k-main">
        {(['zh-CN', 'en'] as const).map((lng) => {
          const t = i18n.getFixedT(lng);
          return (
            <section key={lng} lang={lng} className="k-oos-block">
              <h1 className="k-title">{t('kiosk.outOfService.title')}</h1>
              {reasonKey && <p className="k-lead">{t(reasonKey)}</p>}
              <p className="k-lead">{t('kiosk.outOfService.body')}</p>
              <p className="k-hotline" data-testid={`hotline-${lng}`}>
                {t('kiosk.outOfService.hotline', { hotline })}
              </p>
            </section>
          );
        })}
      </main>
    </div>
  );
}
