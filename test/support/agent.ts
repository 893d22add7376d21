import type { Express } from 'express';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';

/** Reads the anti-forgery token out of a rendered form. */
export function csrfTokenFrom(html: string): string | undefined {
  return /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
}

/**
 * A browser-like agent: keeps cookies, remembers the CSRF token of the last form it loaded, and sends it with
 * every form it posts, as a browser submitting the page's form would.
 */
export class FormAgent {
  readonly agent: TestAgent;
  private token: string | undefined;

  constructor(app: Express) {
    this.agent = request.agent(app);
  }

  async get(path: string) {
    const response = await this.agent.get(path);
    this.token = csrfTokenFrom(response.text) ?? this.token;
    return response;
  }

  /** Posts form fields (url-encoded), with the token of the last form loaded unless one is given. */
  async post(path: string, fields: Record<string, string | string[]> = {}) {
    if (!this.token) throw new Error(`FormAgent: load a page with a form before posting to ${path}`);
    const body = new URLSearchParams();
    for (const [key, value] of Object.entries({ _csrf: this.token, ...fields })) {
      for (const item of Array.isArray(value) ? value : [value]) body.append(key, item);
    }
    const response = await this.agent.post(path).type('form').send(body.toString());
    this.token = csrfTokenFrom(response.text) ?? this.token;
    return response;
  }
}
