import type { Express } from 'express';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';

/** Reads the anti-forgery token out of a rendered form. */
export function csrfTokenFrom(html: string): string | undefined {
  return /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
}

/** Reads a survey form's own token (forms of browsers that are not signed in carry it instead of `_csrf`). */
export function surveyTokenFrom(html: string): string | undefined {
  return /name="_survey" value="([^"]+)"/.exec(html)?.[1];
}

/**
 * A browser-like agent: keeps cookies, remembers the anti-forgery tokens (`_csrf`, or a survey form's `_survey`)
 * of the last forms it loaded, and sends them with every form it posts, as a browser submitting the page's form
 * would.
 */
export class FormAgent {
  readonly agent: TestAgent;
  private token: string | undefined;
  private surveyToken: string | undefined;

  constructor(app: Express) {
    this.agent = request.agent(app);
  }

  async get(path: string) {
    const response = await this.agent.get(path);
    this.remember(response.text);
    return response;
  }

  /** Posts form fields (url-encoded), with the token of the last form loaded unless one is given. */
  async post(path: string, fields: Record<string, string | string[]> = {}) {
    if (!this.token && !this.surveyToken)
      throw new Error(`FormAgent: load a page with a form before posting to ${path}`);
    const tokens = {
      ...(this.token ? { _csrf: this.token } : {}),
      ...(this.surveyToken ? { _survey: this.surveyToken } : {}),
    };
    const body = new URLSearchParams();
    for (const [key, value] of Object.entries({ ...tokens, ...fields })) {
      for (const item of Array.isArray(value) ? value : [value]) body.append(key, item);
    }
    const response = await this.agent.post(path).type('form').send(body.toString());
    this.remember(response.text);
    return response;
  }

  private remember(html: string) {
    this.token = csrfTokenFrom(html) ?? this.token;
    this.surveyToken = surveyTokenFrom(html) ?? this.surveyToken;
  }
}
