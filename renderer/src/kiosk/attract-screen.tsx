/**
 * The attract loop: what this kiosk does, cycling slowly, in both languages (the next customer's
 * language is not known yet). Touching anywhere starts a visit.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { BarcodeIcon, CardIcon, KeypadIcon } from './icons';

const SLIDES = ['pay', 'buy', 'card'] as const;
export const ATTRACT_SLIDE_MS = 6000;

export function AttractScreen({ onStart, notice }: { readonly onStart: () => void; readonly notice?: string | null }) {
  const { i18n } = useTranslation();
  const zh = i18n.getFixedT('zh-CN');
  const en = i18n.getFixedT('en');
  const [slide, setSlide] = useState(0);
  useEffect(() => {
    const timer = window.setInterval(() => setSlide((s) => (s + 1) % SLIDES.length), ATTRACT_SLIDE_MS);
    return () => window.clearInterval(timer);
  }, []);
  const key = SLIDES[slide]!;
  return (
    <div className="k-attract" data-testid="attract">
      <button type="button" className="k-attract-touch" onClick={onStart} data-testid="attract-start">
        <span className="k-attract-brand">
          <span lang="zh-CN">{zh('kiosk.brand')}</span>
          <span lang="en" className="k-attract-en">
            {en('kiosk.brand')}
          </span>
        </span>
        <span className="k-attract-icons" aria-hidden="true">
          <CardIcon />
          <BarcodeIcon />
          <KeypadIcon />
        </span>
        <span className="k-attract-slide" data-testid="attract-slide" data-slide={key}>
          <span lang="zh-CN" className="k-attract-line">
            {zh(`kiosk.attract.${key}`)}
          </span>
          <span lang="en" className="k-attract-line k-attract-en">
            {en(`kiosk.attract.${key}`)}
          </span>
        </span>
        <span className="k-attract-cta">
          <span lang="zh-CN">{zh('kiosk.attract.touch')}</span>
          <span lang="en" className="k-attract-en">
            {en('kiosk.attract.touch')}
          </span>
        </span>
      </button>
      {notice && (
        <p className="k-attract-notice" data-testid="attract-notice" role="status">
          {notice}
        </p>
      )}
    </div>
  );
}
