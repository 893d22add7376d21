import fs from 'node:fs';
import path from 'node:path';
import ejs from 'ejs';
import type { i18n } from 'i18next';
import type { Locale } from '../../platform/i18n';
import { localiseUrl } from '../../platform/i18n/urls';
import { VIEWS_DIR } from '../../platform/paths';
import type { OutgoingEmail } from './notifications.types';

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

const EMAILS_DIR = path.join(VIEWS_DIR, 'emails');
const TEMPLATE_NAME = /^[a-z0-9][a-z0-9-]*$/;

/** Plain-text parts and subjects are not HTML: values go out as they are ("l'enquête", not "l&#39;enquête"). */
const asText = (value: unknown): string => (value === undefined || value === null ? '' : String(value));

/** Every link to the site in an email's data, in the recipient's language (`/fr/...` in French). */
function localiseLinks(value: unknown, baseUrl: string, locale: Locale): unknown {
  if (typeof value === 'string') return localiseUrl(value, baseUrl, locale);
  if (Array.isArray(value)) return value.map((item) => localiseLinks(item, baseUrl, locale));
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, localiseLinks(item, baseUrl, locale)]),
    );
  }
  return value;
}

/**
 * Renders views/emails/<template>/{subject,text,html}.ejs in the recipient's language; the HTML part is wrapped in
 * views/emails/_layout.ejs (which adds the unsubscribe link when there is one).
 */
export class EmailRenderer {
  constructor(
    private readonly i18nInstance: i18n,
    private readonly baseUrl: string,
    private readonly cache: boolean,
    /** Where template folders live; tests point this at fixtures. The layout always comes from views/emails. */
    private readonly templatesDir: string = EMAILS_DIR,
  ) {}

  async render(email: OutgoingEmail): Promise<RenderedEmail> {
    if (!TEMPLATE_NAME.test(email.template))
      throw new Error(`Invalid email template name: ${email.template}`);
    const dir = path.join(this.templatesDir, email.template);
    if (!fs.existsSync(dir)) throw new Error(`Unknown email template: ${email.template}`);
    const unsubscribeUrl = email.unsubscribeUrl
      ? localiseUrl(email.unsubscribeUrl, this.baseUrl, email.locale)
      : undefined;
    const locals = {
      t: this.i18nInstance.getFixedT(email.locale),
      locale: email.locale,
      baseUrl: this.baseUrl,
      data: localiseLinks(email.data, this.baseUrl, email.locale),
      unsubscribeUrl,
    };
    const part = (file: string, escape?: (value: unknown) => string) =>
      ejs.renderFile(path.join(dir, file), locals, {
        cache: this.cache,
        root: VIEWS_DIR,
        ...(escape ? { escape } : {}),
      });
    // Subject lines are a single line whatever the template does (no header folding surprises); French
    // non-breaking spaces ("Rappel : ...") are kept.
    const subject = (await part('subject.ejs', asText)).replace(/[ \t\r\n]+/g, ' ').trim();
    const text = (await part('text.ejs', asText)).trim() + '\n';
    const body = await part('html.ejs');
    const html = await ejs.renderFile(
      path.join(EMAILS_DIR, '_layout.ejs'),
      { ...locals, subject, body },
      { cache: this.cache, root: VIEWS_DIR },
    );
    return { subject, text: this.withUnsubscribe(text, unsubscribeUrl, locals.t), html };
  }

  private withUnsubscribe(
    text: string,
    url: string | undefined,
    t: (key: string, values: Record<string, string>) => string,
  ): string {
    if (!url) return text;
    return `${text}\n--\n${t('notifications:email.unsubscribeLine', { url })}\n`;
  }
}
