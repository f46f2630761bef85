// Audit (auditor): the audit log, filtered and paged by id, with the chain's verification state (D-26).
// Reading it is itself audited by the API (read-audit).
import { api, attempt, field, fill, h, message, t, table, when } from '../core.js';

export async function render(main, { query }) {
  const chain = h('div', { id: 'audit-chain', 'aria-live': 'polite' });
  const inputs = {
    actor: h('input', { type: 'text', value: query.get('actor') ?? '' }),
    action: h('input', { type: 'text', value: query.get('action') ?? '' }),
    archive_no: h('input', { type: 'text', inputmode: 'numeric', value: query.get('archive_no') ?? '' }),
    outcome: h('select', {}, ['', 'ok', 'denied', 'error'].map(o => h('option', { value: o }, o))),
    from: h('input', { type: 'date', value: query.get('from') ?? '' }),
    to: h('input', { type: 'date', value: query.get('to') ?? '' }),
  };
  inputs.outcome.value = query.get('outcome') ?? '';
  const results = h('div', { id: 'audit-results' });
  const pages = [];
  const load = async afterId => {
    const params = new URLSearchParams({ limit: '50' });
    for (const [name, input] of Object.entries(inputs)) if (input.value.trim()) params.set(name, input.value.trim());
    if (afterId) params.set('after_id', afterId);
    const page = await attempt(results, () => api('GET', `/audit?${params}`));
    if (!page) return;
    fill(results, table([
      { label: '#', value: e => e.id, num: true },
      { label: t('col.at'), value: e => when(e.at) },
      { label: t('audit.actor'), value: e => e.actor },
      { label: t('col.role'), value: e => e.role ?? '' },
      { label: t('audit.action'), value: e => e.action },
      { label: t('audit.archiveNo'), value: e => e.archive_no ?? '' },
      { label: t('col.categories'), value: e => (e.categories ?? []).join(', ') },
      { label: t('col.purpose'), value: e => e.purpose ?? '' },
      { label: t('audit.outcome'), value: e => h('span', { className: `badge ${e.outcome === 'ok' ? 'good' : 'bad'}` }, e.outcome) },
      { label: t('col.detail'), value: e => e.detail ?? '' },
    ], page.entries, { id: 'audit-table' }),
    h('div', { className: 'row' },
      pages.length ? h('button', { type: 'button', className: 'secondary', onclick: () => { pages.length = 0; load(null); } }, t('audit.first')) : null,
      page.next_after_id ? h('button', { type: 'button', id: 'audit-next', onclick: () => { pages.push(afterId); load(page.next_after_id); } }, t('audit.next')) : null));
  };
  const form = h('form', { className: 'fields', onsubmit: event => { event.preventDefault(); pages.length = 0; load(null); } },
    field('audit-actor', t('audit.actor'), inputs.actor), field('audit-action', t('audit.action'), inputs.action),
    field('audit-archive-no', t('audit.archiveNo'), inputs.archive_no), field('audit-outcome', t('audit.outcome'), inputs.outcome),
    field('audit-from', t('audit.from'), inputs.from), field('audit-to', t('audit.to'), inputs.to),
    h('div', {}, h('button', { type: 'submit' }, t('audit.filter'))));
  fill(main, h('h1', {}, t('audit.title')), chain, form, results);
  const verified = await attempt(chain, () => api('GET', '/audit/verify'));
  if (verified) fill(chain, message(verified.intact ? 'ok' : 'error', verified.intact
    ? t('audit.intact', { entries: verified.entries }) : t('audit.broken', { broken: verified.broken })));
  await load(null);
}
