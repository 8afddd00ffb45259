/**
 * Voice prompts at the key steps through the browser's speechSynthesis, in the visit's language.
 * Switchable by the customer; when the platform has no speech (some Chromium kiosks, headless
 * tests), `available` is false and speaking does nothing — no step depends on hearing it.
 */
import { useCallback, useEffect, useRef } from 'react';
import type { Language } from '../i18n';

export function speechAvailable(): boolean {
  return typeof window !== 'undefined' && 'speechSynthesis' in window && typeof window.SpeechSynthesisUtterance === 'function';
}

/** Speak one prompt, cutting off whatever is still being said (a new step replaces the old prompt). */
export function speak(text: string, lang: Language): void {
  if (!speechAvailable() || text === '') return;
  try {
    const synth = window.speechSynthesis;
    synth.cancel();
    const u = new SpeechSynthesisUtterance(text);
    u.lang = lang;
    const voice = synth.getVoices().find((v) => v.lang === lang) ?? synth.getVoices().find((v) => v.lang.startsWith(lang.slice(0, 2)));
    if (voice) u.voice = voice;
    u.rate = 0.95;
    synth.speak(u);
  } catch {
    // A broken speech engine must never break the kiosk.
  }
}

export function silence(): void {
  if (!speechAvailable()) return;
  try {
    window.speechSynthesis.cancel();
  } catch {
    // as above
  }
}

/** Speaks `text` whenever `key` changes (a step's prompt), while voice is on. */
export function usePrompt(enabled: boolean, lang: Language, key: string, text: string): void {
  const last = useRef('');
  useEffect(() => {
    if (!enabled) {
      last.current = '';
      return;
    }
    const id = `${lang}|${key}`;
    if (last.current === id) return;
    last.current = id;
    speak(text, lang);
  }, [enabled, lang, key, text]);
}

/** Stops speaking when the component leaves (e.g. the visit ends). */
export function useSilenceOnUnmount(): () => void {
  useEffect(() => () => silence(), []);
  return useCallback(() => silence(), []);
}
