// Talking to the gateway: JSON over POST, cookies carry the session (scripts never see tokens).
import { t } from './i18n.js';

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || t('Request failed ({0})', [status]));
    this.status = status;
    this.code = body?.code || 'UNKNOWN';
    this.fields = body?.fields || {};
    this.fieldReasons = body?.field_reasons || {}; // codes + values of each field's problems
    this.reason = body?.reason || null; // code + values of a refusal of the whole request
    this.retryAfter = body?.retry_after_seconds || 0; // seconds, when the server said when to retry
  }
}

const NETWORK = { code: 'UNAVAILABLE', message: t('No connection to Tenfour. Check your network and try again.'), fields: {} };

async function post(url, body) {
  let response;
  try {
    response = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body || {}),
    });
  } catch {
    throw new ApiError(0, NETWORK);
  }
  return response;
}

async function read(response) {
  let body = {};
  try { body = await response.json(); } catch { body = {}; }
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

let refreshing = null;

// One refresh at a time for the whole page: refresh tokens rotate and a reused one ends the session.
export function refresh() {
  if (!refreshing) {
    refreshing = post('/api/auth/refresh', {})
      .then((r) => r.ok)
      .catch(() => false)
      .finally(() => { setTimeout(() => { refreshing = null; }, 0); });
  }
  return refreshing;
}

let onSignedOut = () => {};
export function whenSignedOut(callback) { onSignedOut = callback; }

// POST /api/<service>/<Method>; on an expired access token, refresh once and retry.
export async function call(service, method, body = {}) {
  const url = `/api/${service}/${method}`;
  let response = await post(url, body);
  if (response.status === 401) {
    if (await refresh()) response = await post(url, body);
    if (response.status === 401) onSignedOut();
  }
  return read(response);
}

export async function auth(action, body) {
  return read(await post(`/api/auth/${action}`, body));
}

export async function session() {
  let response;
  try {
    response = await fetch('/api/session', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  } catch {
    throw new ApiError(0, NETWORK);
  }
  let info = await read(response);
  if (!info.signed_in && info.can_refresh && (await refresh())) {
    info = await read(await fetch('/api/session', { credentials: 'same-origin' }));
  }
  return info;
}

// A key per user action, so a retried click never books twice (kept 24 h by the service).
export function idempotencyKey() {
  return crypto.randomUUID();
}
