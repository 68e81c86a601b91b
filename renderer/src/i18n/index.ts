import { createI18n } from 'vue-i18n';
import en from './en';
import ko from './ko';

export type Language = 'en' | 'ko';

export const i18n = createI18n({
  legacy: false,
  locale: 'en',
  fallbackLocale: 'en',
  messages: { en, ko },
  datetimeFormats: {
    en: { short: { year: 'numeric', month: 'short', day: 'numeric' } },
    ko: { short: { year: 'numeric', month: 'short', day: 'numeric' } },
  },
});

export function setLanguage(language: Language): void {
  i18n.global.locale.value = language;
  document.documentElement.lang = language;
}
