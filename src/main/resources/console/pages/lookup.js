// Look up (front desk, service, manager, keeper): search by mobile, name or archive number; the
// archive as the role may see it, what was withheld, and "request access" for it (D-24, D-25).
// Every search and read is the API's, audited there with the purpose typed here.
import { api, attempt, field, fill, h, message, session, t, table, when } from '../core.js';

const CATEGORIES = ['basic', 'consumption', 'preferences', 'health', 'feedback', 'identity'];
let lastPurpose = '';

export async function render(main, { id, rest, query }) {
  if (id === 'archive') return archivePage(main, rest[0], query.get('purpose') ?? lastPurpose);
  return searchPage(main, query);
}

function searchPage(main, query) {
  const mobile = h('input', { type: 'search', inputmode: 'tel', autocomplete: 'off', value: query.get('mobile') ?? '' });
  const name = h('input', { type: 'search', autocomplete: 'off', value: query.get('name') ?? '' });
  const archiveNo = h('input', { type: 'search', inputmode: 'numeric', autocomplete: 'off', value: query.get('archive_no') ?? '' });
  const purpose = h('input', { type: 'text', placeholder: t('lookup.purpose.hint'), value: query.get('purpose') ?? lastPurpose });
  const results = h('div', { id: 'results', 'aria-live': 'polite' });
  const form = h('form', { className: 'fields', id: 'lookup-form', role: 'search', onsubmit: async event => {
    event.preventDefault();
    const params = new URLSearchParams();
    if (mobile.value.trim()) params.set('mobile', mobile.value.trim());
    if (name.value.trim()) params.set('name', name.value.trim());
    if (archiveNo.value.trim()) params.set('archive_no', archiveNo.value.trim());
    if (![...params.keys()].length) {
      fill(results, message('error', t('lookup.needOne')));
      return;
    }
    lastPurpose = purpose.value.trim();
    if (lastPurpose) params.set('purpose', lastPurpose);
    const started = performance.now();
    const found = await attempt(results, () => api('GET', `/archives?${params}`));
    if (found) showResults(results, found, Math.round(performance.now() - started));
  } },
  field('lookup-mobile', t('lookup.mobile'), mobile),
  field('lookup-name', t('lookup.name'), name),
  field('lookup-archive-no', t('lookup.archiveNo'), archiveNo),
  field('lookup-purpose', t('lookup.purpose'), purpose),
  h('div', {}, h('button', { type: 'submit', id: 'lookup-search' }, t('lookup.search'))));
  fill(main, h('h1', {}, t('lookup.title')), form, results);
  mobile.focus();
}

function showResults(results, found, ms) {
  const link = row => h('a', { href: `#/archive/${encodeURIComponent(row.archive_no)}` }, row.archive_no);
  fill(results, 
    h('p', { className: 'quiet' }, t('lookup.count', { count: found.count }), ' · ', h('span', { id: 'lookup-took' }, t('lookup.took', { ms }))),
    found.capped ? message('note', t('lookup.capped', { count: found.count })) : null,
    table([
      { label: t('col.archiveNo'), value: link },
      { label: t('col.name'), value: r => r.name },
      { label: t('col.tier'), value: r => r.tier },
      { label: t('col.mobile'), value: r => r.mobile },
      { label: t('col.status'), value: r => [r.review_status === 'pending' ? t('archive.pending') : '', r.sealed ? t('archive.sealed') : ''].filter(Boolean).join(' ') },
    ], found.archives, { id: 'lookup-results' }));
}

function label(key) {
  const text = t(`field.${key}`);
  return text === `field.${key}` ? key : text;
}

function value(v) {
  if (v === null || v === undefined || v === '') return '—';
  if (Array.isArray(v)) return v.length === 0 ? '—' : rows(v);
  if (typeof v === 'object') return Object.keys(v).length === 0 ? '—' : fields(v);
  if (typeof v === 'boolean') return v ? '✓' : '—';
  return String(v);
}

function fields(object) {
  return h('dl', { className: 'fields' }, Object.entries(object).flatMap(([k, v]) => [h('dt', {}, label(k)), h('dd', { 'data-field': k }, value(v))]));
}

function rows(list) {
  const keys = [...new Set(list.flatMap(item => Object.keys(item)))];
  return table(keys.map(k => ({ label: label(k), value: item => value(item[k]) })), list);
}

async function archivePage(main, archiveNo, purpose) {
  const place = h('div');
  fill(main, h('p', {}, h('a', { href: '#/lookup' }, t('archive.back'))), h('h1', {}, t('archive.title', { archiveNo })), place);
  const params = purpose ? `?purpose=${encodeURIComponent(purpose)}` : '';
  const archive = await attempt(place, () => api('GET', `/archives/${encodeURIComponent(archiveNo)}${params}`));
  if (!archive) return;
  const mine = await api('GET', '/access-requests').then(r => r.requests.filter(q => q.requester === session.name && q.archive_nos.includes(archiveNo))).catch(() => []);
  const grant = mine.map(q => q.grant).find(g => g && g.id === archive.grant);
  fill(place, 
    archive.review_status === 'pending' ? message('note', t('archive.pending')) : null,
    archive.sealed ? message('note', t('archive.sealed')) : null,
    archive.grant ? message('ok', `${t('archive.grant', { id: archive.grant })}${grant ? ' · ' + t('request.validUntil', { until: when(grant.valid_until) }) : ''}`) : null,
    ...CATEGORIES.map(category => {
      const shown = archive.categories.includes(category);
      return h('section', { id: `category-${category}`, 'aria-labelledby': `heading-${category}` },
        h('h2', { id: `heading-${category}` }, t(`category.${category}`), ' ', shown ? null : h('span', { className: 'withheld' }, t('archive.withheld.mark'))),
        shown ? value(archive[category]) : null);
    }),
    archive.withheld.length ? requestForm(archiveNo, archive.withheld, purpose) : h('p', { className: 'quiet' }, t('archive.withheld.none')),
    myRequests(mine));
}

function requestForm(archiveNo, withheld, purpose) {
  const status = h('div', { 'aria-live': 'polite' });
  const boxes = withheld.map(category => h('input', { type: 'checkbox', value: category, id: `request-${category}` }));
  const why = h('input', { type: 'text', required: true, value: purpose ?? '' });
  const days = h('input', { type: 'number', min: '1', max: '30', value: '3', required: true });
  const form = h('form', { id: 'request-access', onsubmit: async event => {
    event.preventDefault();
    const created = await attempt(status, () => api('POST', '/access-requests', {
      archive_nos: [archiveNo], categories: boxes.filter(b => b.checked).map(b => b.value), purpose: why.value.trim(), days: Number(days.value),
    }));
    if (created) fill(status, message('ok', t('request.sent', { id: created.id })));
  } },
  h('fieldset', {}, h('legend', {}, t('request.categories')),
    boxes.map(box => h('label', { for: box.id }, box, t(`category.${box.value}`)))),
  h('div', { className: 'fields' }, field('request-purpose', t('request.purpose'), why), field('request-days', t('request.days'), days)),
  h('p', {}, h('button', { type: 'submit', id: 'request-submit' }, t('request.submit'))), status);
  return h('section', { className: 'card' }, h('h2', {}, t('archive.requestAccess')), form);
}

function myRequests(mine) {
  if (!mine.length) return null;
  return h('section', { id: 'my-requests' }, h('h2', {}, t('archive.myRequests')), table([
    { label: t('col.id'), value: q => `#${q.id}` },
    { label: t('approvals.categories'), value: q => q.categories.map(c => t(`category.${c}`)).join('、') },
    { label: t('approvals.purpose'), value: q => q.purpose },
    { label: t('col.status'), value: q => t(`request.status.${q.status}`) },
    { label: t('col.validUntil'), value: q => q.grant
      ? `${when(q.grant.valid_until)} · ${t(q.grant.live ? 'request.live' : 'request.expired')}` : '' },
  ], mine));
}
