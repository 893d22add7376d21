import type { Express } from 'express';
import { FormAgent } from '../support/agent';
import { TEST_USER_HEADER } from '../support/test-auth';

/**
 * A browser-like agent signed in as `who` (`officer`, `participant:alice`, ...) through the test-only header,
 * or anonymous when `who` is empty. `lang` fixes the page language.
 */
export function agentAs(app: Express, who: string, lang: 'en' | 'fr' = 'en'): FormAgent {
  const agent = new FormAgent(app);
  if (who) agent.agent.set(TEST_USER_HEADER, who);
  agent.agent.set('Accept-Language', lang);
  return agent;
}

/** Visible text of an HTML page: tags removed, entities for quotes and ampersands decoded, spaces collapsed. */
export function textOf(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&#34;|&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}
