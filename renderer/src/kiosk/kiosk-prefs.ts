/**
 * The customer's choices for this visit: language, large text with high contrast, voice.
 * Every visit starts from the terminal's defaults; nothing carries over to the next customer.
 */
import type { Language } from '../i18n';

export interface KioskPrefs {
  readonly lang: Language;
  readonly large: boolean;
  readonly voice: boolean;
}

export function defaultPrefs(lang: Language): KioskPrefs {
  return { lang, large: false, voice: true };
}
