import type { Role } from './auth';

/** A main menu entry that a module contributes; an entry with `roles` shows only to users holding one of them. */
export interface NavigationItem {
  href: string;
  /** An i18n key, e.g. 'consultations:nav'. */
  labelKey: string;
  roles?: Role[];
}
