/**
 * The frame of every step after the attract screen: a header with the step's title and the
 * visit's settings (large text and contrast, voice, language), the step itself, and a footer
 * whose "start over" is always in the same place.
 */
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { SpeakerIcon, TextSizeIcon } from './icons';
import type { KioskPrefs } from './kiosk-prefs';

export interface FrameProps {
  readonly title: string;
  readonly prefs: KioskPrefs;
  readonly voiceAvailable: boolean;
  readonly onPrefs: (p: KioskPrefs) => void;
  readonly onLanguage?: () => void;
  /** Back one step; absent where going back would undo nothing safely (paying, delivering). */
  readonly onBack?: () => void;
  /** Cancel the visit and return to the attract screen; absent while money is moving. */
  readonly onCancel?: () => void;
  /** A notice shown under the header on every step (degraded service). */
  readonly notices?: ReactNode;
  readonly children: ReactNode;
  readonly testId: string;
}

export function Frame(props: FrameProps) {
  const { t } = useTranslation();
  const { prefs, onPrefs } = props;
  return (
    <div className="k-frame" data-testid={props.testId}>
      <header className="k-header">
        <span className="k-brand">{t('kiosk.brand')}</span>
        <div className="k-settings">
          <button
            type="button"
            className={prefs.large ? 'k-toggle on' : 'k-toggle'}
            aria-pressed={prefs.large}
            onClick={() => onPrefs({ ...prefs, large: !prefs.large })}
            data-testid="toggle-large"
          >
            <TextSizeIcon />
            {t('kiosk.settings.large')}
          </button>
          {props.voiceAvailable && (
            <button
              type="button"
              className={prefs.voice ? 'k-toggle on' : 'k-toggle'}
              aria-pressed={prefs.voice}
              onClick={() => onPrefs({ ...prefs, voice: !prefs.voice })}
              data-testid="toggle-voice"
            >
              <SpeakerIcon muted={!prefs.voice} />
              {t('kiosk.settings.voice')}
            </button>
          )}
          {props.onLanguage && (
            <button type="button" className="k-toggle" onClick={props.onLanguage} data-testid="toggle-language" lang={prefs.lang === 'zh-CN' ? 'en' : 'zh-CN'}>
              {prefs.lang === 'zh-CN' ? 'English' : '中文'}
            </button>
          )}
        </div>
      </header>
      <main className="k-main">
        <h1 className="k-title" data-testid="step-title">
          {props.title}
        </h1>
        {props.notices}
        <div className="k-body">{props.children}</div>
      </main>
      <footer className="k-footer">
        {props.onBack ? (
          <button type="button" className="k-secondary" onClick={props.onBack} data-testid="back">
            {t('kiosk.common.back')}
          </button>
        ) : (
          <span />
        )}
        {props.onCancel && (
          <button type="button" className="k-secondary k-cancel" onClick={props.onCancel} data-testid="cancel">
            {t('kiosk.common.startOver')}
          </button>
        )}
      </footer>
    </div>
  );
}
