// Globus Auth routes: the authorize page a person would see, and the form-encoded OAuth2 endpoints.
import type { AuthService } from './auth.js';
import { authUnauthorized, oauthError } from './errors.js';
import type { AuthorizationParams } from './types.js';

export interface AuthRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
}

export interface AuthReply {
  status: number;
  body: unknown;
  html?: boolean;
  location?: string;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, inner: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title></head>` +
    `<body style="font-family:sans-serif;max-width:40em;margin:3em auto"><h1>${esc(title)}</h1>${inner}</body></html>`;
}

function paramsOf(q: Record<string, string>): AuthorizationParams {
  return {
    client_id: q.client_id ?? '',
    code_challenge: q.code_challenge ?? '',
    code_challenge_method: q.code_challenge_method,
    scope: q.scope ?? '',
    redirect_uri: q.redirect_uri ?? '',
    access_type: q.access_type,
    state: q.state,
  };
}

/** Credentials of a confidential client (Basic), which native apps never send. */
function basicClient(headers: AuthRequest['headers']): string | undefined {
  const h = headers.authorization;
  const m = typeof h === 'string' ? /^Basic\s+(\S+)$/i.exec(h) : null;
  if (!m) return undefined;
  return Buffer.from(m[1], 'base64').toString('utf8').split(':')[0];
}

function form(r: AuthRequest): URLSearchParams {
  const type = String(r.headers['content-type'] ?? '');
  if (r.rawBody && !type.startsWith('application/x-www-form-urlencoded')) {
    throw oauthError('invalid_request', 400, 'Expected a form-encoded body');
  }
  return new URLSearchParams(r.rawBody);
}

export function handleAuth(auth: AuthService, r: AuthRequest): AuthReply {
  const route = `${r.method} ${r.path.replace(/\/+$/, '')}`;
  switch (route) {
    case 'GET /v2/oauth2/authorize':
      return authorizePage(r.query);
    case 'POST /v2/oauth2/authorize':
      return approveFromPage(auth, Object.fromEntries(new URLSearchParams(r.rawBody)));
    case 'POST /v2/oauth2/token':
      return { status: 200, body: auth.token(form(r), basicClient(r.headers)) };
    case 'POST /v2/oauth2/token/revoke':
      return { status: 200, body: auth.revoke(form(r)) };
    case 'POST /v2/oauth2/token/introspect':
    case 'POST /v2/oauth2/token/validate':
      // Both need a confidential client's Basic credentials; a native app has none.
      throw authUnauthorized();
    case 'GET /v2/oauth2/userinfo':
    case 'POST /v2/oauth2/userinfo':
      return { status: 200, body: auth.userinfo(r.headers.authorization as string | undefined) };
    default:
      return { status: 404, body: { errors: [{ status: '404', code: 'NOT_FOUND', title: 'Not Found', detail: `No such resource ${r.path}` }], error: 'not_found' } };
  }
}

function authorizePage(q: Record<string, string>): AuthReply {
  const missing = ['client_id', 'redirect_uri', 'scope', 'response_type', 'code_challenge'].filter((k) => !q[k]);
  if (missing.length || q.response_type !== 'code') {
    const why = missing.length ? `Missing parameters: ${missing.join(', ')}` : 'response_type must be "code"';
    return { status: 400, html: true, body: page('Unable to Fulfill Your Request', `<p>Error processing OAuth2 request.</p><p>${esc(why)}</p>`) };
  }
  const hidden = Object.entries(q)
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join('');
  const scopes = q.scope.split(/\s+(?![^[]*\])/).map((s) => `<li><code>${esc(s)}</code></li>`).join('');
  return {
    status: 200,
    html: true,
    body: page('Globus sandbox: allow access?',
      `<p>The app <code>${esc(q.client_id)}</code> asks for:</p><ul>${scopes}</ul>` +
      `<form method="post" action="/v2/oauth2/authorize">${hidden}<button type="submit">Allow</button></form>`),
  };
}

/** The "Allow" button: like Globus, show the Native App Authorization Code, or redirect to a loopback URI. */
function approveFromPage(auth: AuthService, q: Record<string, string>): AuthReply {
  let code: string;
  try {
    code = auth.approve(paramsOf(q));
  } catch (e) {
    return { status: 400, html: true, body: page('Unable to Fulfill Your Request', `<p>${esc((e as Error).message)}</p>`) };
  }
  if (/^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(q.redirect_uri)) {
    const u = new URL(q.redirect_uri);
    u.searchParams.set('code', code);
    if (q.state) u.searchParams.set('state', q.state);
    return { status: 302, html: true, body: '', location: u.toString() };
  }
  return {
    status: 200,
    html: true,
    body: page('Native App Authorization Code',
      `<p>Copy this code and paste it into the application:</p><p><code id="auth-code">${esc(code)}</code></p>`),
  };
}
