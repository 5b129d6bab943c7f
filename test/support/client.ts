// A browser-like client for app.request: keeps cookies, sends the CSRF token with forms and
// the app's Origin with cookie-authenticated JSON writes, as a real browser page would.
import { expect } from 'vitest';

interface Fetchable {
  request(input: string, init?: RequestInit, env?: unknown): Response | Promise<Response>;
}

export class TestClient {
  readonly cookies = new Map<string, string>();
  user: { id: string; name: string; email: string } | null = null;
  private bearer: string | null = null;
  /** The socket address requests come from (none: handed to the app in-process, no socket). */
  private remoteAddress: string | null = null;

  constructor(
    private readonly app: Fetchable,
    private readonly baseUrl: string,
  ) {}

  /** A client that authenticates with a workspace API key instead of cookies. */
  withApiKey(key: string): TestClient {
    const c = new TestClient(this.app, this.baseUrl);
    c.bearer = key;
    return c;
  }

  /** This client (a copy of its cookies and key) with requests from socket address `ip`. */
  fromAddress(ip: string): TestClient {
    const c = new TestClient(this.app, this.baseUrl);
    c.remoteAddress = ip;
    c.bearer = this.bearer;
    c.user = this.user;
    for (const [k, v] of this.cookies) c.cookies.set(k, v);
    return c;
  }

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0 && !headers.has('cookie')) {
      headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    }
    if (this.bearer) headers.set('authorization', `Bearer ${this.bearer}`);
    const env = this.remoteAddress
      ? { incoming: { socket: { remoteAddress: this.remoteAddress } } }
      : undefined;
    const res = await this.app.request(
      `${this.baseUrl}${path}`,
      { ...init, headers, redirect: 'manual' },
      env,
    );
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some(
        (a) => /max-age=0\b/i.test(a.trim()) || /expires=thu, 01 jan 1970/i.test(a.trim()),
      );
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  get(path: string, headers: Record<string, string> = {}) {
    return this.request(path, { headers: { accept: 'text/html', ...headers } });
  }

  getJson(path: string) {
    return this.request(path, { headers: { accept: 'application/json' } });
  }

  /** The CSRF token a page would embed; fetched from a page when no cookie is set yet. */
  async csrfToken(): Promise<string> {
    if (!this.cookies.has('tollgate.csrf')) await this.get('/login');
    return this.cookies.get('tollgate.csrf')!;
  }

  /** Submits a form like a browser: urlencoded, with the page's CSRF token. */
  async postForm(
    path: string,
    fields: Record<string, string> = {},
    opts: { csrf?: string | null } = {},
  ) {
    const token = opts.csrf === undefined ? await this.csrfToken() : opts.csrf;
    const body = new URLSearchParams(fields);
    if (token !== null) body.set('_csrf', token);
    return this.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: body.toString(),
    });
  }

  /**
   * Follows a form's 303 like a browser (the page it lands on, with the flash cookie it set).
   * Fails when the answer was not a redirect: every form answers with one (Post/Redirect/Get).
   */
  async follow(res: Response): Promise<Response> {
    expect(res.status, `expected a 303 redirect, got ${res.status}`).toBe(303);
    return this.get(res.headers.get('location') ?? '/');
  }

  /** A JSON API call; cookie-authenticated writes carry the app's Origin like a browser's fetch. */
  json(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    return this.request(path, {
      method,
      headers: {
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(method === 'GET' || this.bearer ? {} : { origin: this.baseUrl }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  async signUpApi(input: { name: string; email: string; password: string }) {
    const res = await this.json('POST', '/api/auth/sign-up/email', input);
    expect(res.status, await res.clone().text()).toBe(200);
    const body = (await res.json()) as { user: { id: string; name: string; email: string } };
    this.user = { id: body.user.id, name: body.user.name, email: body.user.email };
    return this.user;
  }

  /** The user's first workspace (the one sign-up created). */
  async firstWorkspace(): Promise<{
    id: string;
    name: string;
    plan: string;
    isPro: boolean;
    role: string;
  }> {
    const res = await this.getJson('/api/workspaces');
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      workspaces: Array<{ id: string; name: string; plan: string; isPro: boolean; role: string }>;
    };
    return body.workspaces[0]!;
  }
}

export function location(res: Response): string {
  return res.headers.get('location') ?? '';
}

/** The JSON body of a response, typed by the caller (the test asserts on its shape). */
export async function readJson<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

export interface WorkspaceJson {
  id: string;
  name: string;
  plan: string;
  isPro: boolean;
  role: string;
}
