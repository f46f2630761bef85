// The console's shared parts: texts (the message bundle area "console", zh default, en), the API
// client (the session cookie goes with every call; state-changing calls carry the CSRF token), and
// small DOM helpers that only ever set text, never HTML, so nothing from the archive can run.

let texts = {};
export const session = { name: null, role: null, csrf: null };

export function language() {
  const chosen = localStorage.getItem('dangan.language');
  return chosen === 'en' ? 'en' : 'zh';
}

export async function loadTexts(lang) {
  const response = await fetch(`/console/texts/${lang}.json`, { credentials: 'same-origin' });
  texts = await response.json();
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
}

/** The text of a key, its {placeholders} filled in. */
export function t(key, values = {}) {
  const text = texts[`console.${key}`] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (values[name] ?? `{${name}}`));
}

/** The text of a key, or the fallback when the bundles have none (a value the console has no word for). */
export function tOr(key, fallback) {
  const text = t(key);
  return text === key ? fallback : text;
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** Calls /api with the session; answers the JSON, throws ApiError with the API's own reason. */
export async function api(method, path, body) {
  // the API's own error texts come in the language chosen on the page
  const headers = { Accept: 'application/json', 'Accept-Language': language() === 'en' ? 'en' : 'zh-CN' };
  if (method !== 'GET') {
    headers['X-CSRF-Token'] = session.csrf ?? '';
    headers['Content-Type'] = 'application/json';
  }
  const response = await fetch(`/api${path}`, {
    method, headers, credentials: 'same-origin',
    body: method === 'GET' ? undefined : JSON.stringify(body ?? {}),
  });
  const type = response.headers.get('Content-Type') ?? '';
  const json = type.includes('json') ? await response.json() : null;
  if (!response.ok) {
    if (response.status === 401 && path !== '/session') window.dispatchEvent(new CustomEvent('dangan:signed-out'));
    throw new ApiError(response.status, json?.error ?? `${response.status} ${response.statusText}`);
  }
  return json;
}

/** An element with attributes (on… as listeners) and children (strings become text nodes). */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.substring(2), value);
    else if (name === 'className') element.className = value;
    else element.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** A table: columns [{label, value: row => node|text, num?}], rows; "nothing here" when empty. */
export function table(columns, rows, attributes = {}) {
  if (!rows || rows.length === 0) return h('p', { className: 'quiet' }, t('app.empty'));
  return h('div', { className: 'table-wrap' }, h('table', attributes,
    h('thead', {}, h('tr', {}, columns.map(c => h('th', { scope: 'col', className: c.num ? 'num' : null }, c.label)))),
    h('tbody', {}, rows.map(row => h('tr', {}, columns.map(c => h('td', { className: c.num ? 'num' : null }, c.value(row) ?? '')))))));
}

export function message(kind, text) {
  return h('div', { className: `message ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

/** Runs an action, showing its error (the API's reason) in the given place instead of losing it. */
export async function attempt(place, action) {
  place.replaceChildren();
  try {
    return await action();
  } catch (error) {
    place.replaceChildren(message('error', t('app.error', { message: error.message })));
    return undefined;
  }
}

export function when(instant) {
  if (!instant) return '';
  const date = new Date(instant);
  return Number.isNaN(date.getTime()) ? String(instant)
    : date.toLocaleString(language() === 'zh' ? 'zh-CN' : 'en-GB', { dateStyle: 'short', timeStyle: 'short' });
}

/** A labelled input: label + control, the label bound to it by id. */
export function field(id, label, control) {
  control.id = id;
  return h('div', {}, h('label', { for: id }, label), control);
}

/** Replaces the children of a place, leaving out the absent ones (null, undefined, false). */
export function fill(place, ...children) {
  place.replaceChildren(...children.flat().filter(child => child !== null && child !== undefined && child !== false));
  return place;
}
