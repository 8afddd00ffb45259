import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { deepMerge, type Tree } from '../../main/i18n/deep-merge.js';


// Every area's locale file, deep-merged per language into one namespace (same rule as the core).
const files = import.meta.glob<Tree>('../../resources/locales/*/*.json', { eager: true, import: 'default' });

const resources: Record<string, { translation: Tree }> = {};
for (const [file, tree] of Object.entries(files)) {
  const lng = /locales\/([^/]+)\//.exec(file)?.[1];
  if (!lng) continue;
  resources[lng] = { translation: deepMerge(resources[lng]?.translation ?? {}, tree) };
}

export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

void i18next.use(initReactI18next).init({
  resources,
  lng: 'zh-CN',
  fallbackLng: 'zh-CN',
  interpolation: { escapeValue: false },
  returnNull: false,
});

export function setLanguage(lng: Language): void {
  void i18next.changeLanguage(lng);
  document.documentElement.lang = lng;
}

export default i18next;
