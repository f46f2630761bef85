// The console's shell: sign-in, the pages each role may open, the language switch, sign-out.
// Which page a role sees is only a convenience: the API decides what anyone may read or do.
import { api, ApiError, field, h, language, loadTexts, message, session, t } from './core.js';

/** Pages by role (the D-24 … D-33 split); the API enforces the same roles on every call. */
const PAGES = [
  { id: 'lookup', roles: ['front-desk', 'service', 'manager', 'keeper'], module: './pages/lookup.js' },
  { id: 'approvals', roles: ['manager'], module: './pages/approvals.js' },
  { id: 'review', roles: ['keeper', 'manager'], module: './pages/review.js' },
  { id: 'intake', roles: ['admin'], module: './pages/intake.js' },
  { id: 'jobs', roles: ['admin'], module: './pages/jobs.js' },
  { id: 'health', roles: ['manager', 'auditor'], module: './pages/health.js' },
  { id: 'audit', roles: ['auditor'], module: './pages/audit.js' },
];

const main = document.getElementById('main');
// A hint that this browser holds a session: without it the page does not ask /api/session, so that
// opening the sign-in page is not a failed authentication (those are audited and limited per address).
const SIGNED_IN = 'dangan.signed-in';

function pagesOf(role) {
  return PAGES.filter(page => page.roles.includes(role));
}

function chrome() {
  document.title = t('app.title');
  document.getElementById('skip').textContent = t('app.skip');
  document.getElementById('brand').textContent = t('app.title');
  document.getElementById('language-label').textContent = t('app.language');
  document.getElementById('nav').setAttribute('aria-label', t('app.nav'));
  const signOut = document.getElementById('sign-out');
  signOut.textContent = t('app.signOut');
  signOut.hidden = !session.name;
  document.getElementById('who').textContent = session.name
    ? t('app.signedInAs', { name: session.name, role: t(`role.${session.role}`) }) : '';
  const nav = document.getElementById('nav');
  const current = location.hash.replace(/^#\/?/, '').split(/[/?]/)[0];
  nav.replaceChildren(...(session.name ? pagesOf(session.role) : []).map(page =>
    h('a', { href: `#/${page.id}`, 'aria-current': page.id === current || (current === 'archive' && page.id === 'lookup') ? 'page' : null,
      id: `nav-${page.id}` }, t(`page.${page.id}`))));
}

function signInPage(note) {
  const status = h('div', { 'aria-live': 'polite' }, note ? message('note', note) : null);
  const name = h('input', { type: 'text', name: 'name', autocomplete: 'username', required: true });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const form = h('form', { id: 'sign-in', onsubmit: async event => {
    event.preventDefault();
    status.replaceChildren();
    try {
      const who = await api('POST', '/session', { name: name.value.trim(), password: password.value });
      Object.assign(session, who);
      localStorage.setItem(SIGNED_IN, '1');
      password.value = '';
      if (!location.hash || location.hash === '#/' || location.hash === '#/sign-in') location.hash = `#/${pagesOf(who.role)[0]?.id ?? ''}`;
      await route();
    } catch (error) {
      const text = error instanceof ApiError && error.status === 401 ? t('signin.failed')
        : error instanceof ApiError && error.status === 429 ? t('signin.tooMany') : t('app.error', { message: error.message });
      status.replaceChildren(message('error', text));
      password.focus();
    }
  } },
  field('sign-in-name', t('signin.name'), name),
  field('sign-in-password', t('signin.password'), password),
  h('button', { type: 'submit' }, t('signin.submit')));
  main.replaceChildren(h('section', { className: 'signin' }, h('h1', {}, t('signin.title')), status, form));
  chrome();
  name.focus();
}

async function route() {
  chrome();
  if (!session.name) return signInPage();
  const [path, query] = location.hash.replace(/^#\/?/, '').split('?');
  const [id, ...rest] = path.split('/');
  const allowed = pagesOf(session.role);
  if (!id) {
    location.hash = `#/${allowed[0]?.id ?? 'lookup'}`;
    return;
  }
  const page = id === 'archive' ? PAGES[0] : PAGES.find(p => p.id === id);
  if (!page) {
    main.replaceChildren(message('error', t('app.notFound')));
    return;
  }
  if (!page.roles.includes(session.role)) {
    main.replaceChildren(message('error', t('app.forbidden')));
    return;
  }
  main.replaceChildren(h('p', { className: 'quiet' }, t('app.loading')));
  const module = await import(page.module);
  await module.render(main, { id, rest, query: new URLSearchParams(query ?? '') });
}

async function start() {
  const select = document.getElementById('language');
  select.value = language();
  await loadTexts(language());
  select.addEventListener('change', async () => {
    localStorage.setItem('dangan.language', select.value);
    await loadTexts(select.value);
    await route();
  });
  document.getElementById('sign-out').addEventListener('click', async () => {
    try {
      await api('DELETE', '/session');
    } finally {
      Object.assign(session, { name: null, role: null, csrf: null });
      localStorage.removeItem(SIGNED_IN);
      location.hash = '#/';
      signInPage();
    }
  });
  window.addEventListener('dangan:signed-out', () => {
    localStorage.removeItem(SIGNED_IN);
    if (!session.name) return;
    Object.assign(session, { name: null, role: null, csrf: null });
    signInPage(t('app.sessionEnded'));
  });
  window.addEventListener('hashchange', () => route());
  if (localStorage.getItem(SIGNED_IN)) {
    try {
      Object.assign(session, await api('GET', '/session'));
    } catch {
      localStorage.removeItem(SIGNED_IN); // the session ended meanwhile: the sign-in page
    }
  }
  await route();
}

start();
