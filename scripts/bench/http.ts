/**
 * A small HTTP/1.1 client for the bench: keep-alive connections to 127.0.0.1, a cookie jar per "browser", and the
 * whole body read before a call returns (a page's latency includes rendering and sending all of it).
 */
import http from 'node:http';

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body as text, unless the call asked only for its length. */
  text: string;
  bytes: number;
}

export interface RequestOptions {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** A JSON body (sent as application/json) or form fields (sent url-encoded). */
  json?: unknown;
  form?: Record<string, string | string[]>;
  /** Count the body's bytes without keeping it (exports). */
  discardBody?: boolean;
  timeoutMs?: number;
  /** Abandons the request (its promise rejects). */
  signal?: AbortSignal;
}

export class HttpClient {
  readonly agent: http.Agent;

  constructor(
    readonly port: number,
    maxSockets = 64,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  request(path: string, options: RequestOptions = {}): Promise<HttpResult> {
    let body: string | undefined;
    const headers: Record<string, string> = { ...options.headers };
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] = 'application/json';
    } else if (options.form) {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(options.form)) {
        for (const item of Array.isArray(value) ? value : [value]) params.append(key, item);
      }
      body = params.toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: this.port,
          path,
          method: options.method ?? (body === undefined ? 'GET' : 'POST'),
          headers,
          agent: this.agent,
          ...(options.signal ? { signal: options.signal } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          let bytes = 0;
          res.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            if (!options.discardBody) chunks.push(chunk);
          });
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text: options.discardBody ? '' : Buffer.concat(chunks).toString('utf8'),
              bytes,
            }),
          );
          res.on('error', reject);
        },
      );
      req.setTimeout(options.timeoutMs ?? 120_000, () => req.destroy(new Error(`timed out: ${path}`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Cookies as a browser keeps them for one site (name -> value; attributes ignored). */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  set(name: string, value: string): void {
    this.cookies.set(name, value);
  }

  /** Takes the cookies a response sets. */
  take(headers: http.IncomingHttpHeaders): void {
    for (const line of headers['set-cookie'] ?? []) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq > 0) this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** Throws unless the response has the expected status (so a failing page is never timed as a fast one). */
export function expectStatus(result: HttpResult, expected: number, what: string): HttpResult {
  if (result.status !== expected) {
    throw new Error(`${what}: expected ${expected}, got ${result.status}: ${result.text.slice(0, 300)}`);
  }
  return result;
}

/** The anti-forgery token of the last form in a page. */
export function csrfTokenFrom(html: string): string | undefined {
  return /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
}
