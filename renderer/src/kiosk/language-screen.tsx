/** Language choice: each option in its own language; 中文 first (the terminal's default). */
import { useTranslation } from 'react-i18next';
import type { Language } from '../i18n';

export function LanguageScreen({ onChoose, onCancel }: { readonly onChoose: (lng: Language) => void; readonly onCancel: () => void }) {
  const { i18n } = useTranslation();
  const zh = i18n.getFixedT('zh-CN');
  const en = i18n.getFixedT('en');
  return (
    <div className="k-frame k-language" data-testid="language-screen">
      <main className="k-main">
        <h1 className="k-title k-bilingual">
          <span lang="zh-CN">{zh('kiosk.language.title')}</span>
          <span lang="en">{en('kiosk.language.title')}</span>
        </h1>
        <div className="k-language-choices">
          <button type="button" className="k-choice k-choice-lang" lang="zh-CN" onClick={() => onChoose('zh-CN')} data-testid="lang-zh-CN">
            中文
          </button>
          <button type="button" className="k-choice k-choice-lang" lang="en" onClick={() => onChoose('en')} data-testid="lang-en">
            English
          </button>
        </div>
      </main>
      <footer className="k-footer">
        <span />
        <button type="button" className="k-secondary k-cancel" onClick={onCancel} data-testid="cancel">
          <span lang="zh-CN">{zh('kiosk.common.startOver')}</span> / <span lang="en">{en('kiosk.common.startOver')}</span>
        </button>
      </footer>
    </div>
  );
}
