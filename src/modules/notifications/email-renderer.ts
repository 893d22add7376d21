import fs from 'node:fs';
import path from 'node:path';
import ejs from 'ejs';
import type { i18n } from 'i18next';
import { VIEWS_DIR } from '../../platform/paths';
import type { OutgoingEmail } from './notifications.types';

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

const EMAILS_DIR = path.join(VIEWS_DIR, 'emails');
const TEMPLATE_NAME = /^[a-z0-9][a-z0-9-]*$/;

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
    const locals = {
      t: this.i18nInstance.getFixedT(email.locale),
      locale: email.locale,
      baseUrl: this.baseUrl,
      data: email.data,
      unsubscribeUrl: email.unsubscribeUrl,
    };
    const part = (file: string, extra: object = {}) =>
      ejs.renderFile(path.join(dir, file), { ...locals, ...extra }, { cache: this.cache, root: VIEWS_DIR });
    // Subject lines are a single line whatever the template does (no header folding surprises).
    const subject = (await part('subject.ejs')).replace(/\s+/g, ' ').trim();
    const text = (await part('text.ejs')).trim() + '\n';
    const body = await part('html.ejs');
    const html = await ejs.renderFile(
      path.join(EMAILS_DIR, '_layout.ejs'),
      { ...locals, subject, body },
      { cache: this.cache, root: VIEWS_DIR },
    );
    return { subject, text: this.withUnsubscribe(text, email, locals.t), html };
  }

  private withUnsubscribe(text: string, email: OutgoingEmail, t: (key: string) => string): string {
    if (!email.unsubscribeUrl) return text;
    return `${text}\n--\n${t('notifications:email.unsubscribe')}: ${email.unsubscribeUrl}\n`;
  }
}
