// Intake (administrator): every file, mail, contracts poll and survey batch of the last days with
// its reconciliation (new / updated / duplicate / review / rejected = lines), the rejected lines
// with their reasons, the reject report and the failed file to download, and what to do about each.
import { api, attempt, field, fill, h, message, t, tOr, table, when } from '../core.js';

export async function render(main, { query }) {
  const days = h('input', { type: 'number', min: '1', max: '366', value: query.get('days') ?? '7' });
  const list = h('div', { id: 'ingests' });
  const details = h('div', { id: 'ingest-details', 'aria-live': 'polite' });
  const title = h('h1', {});
  const load = async () => {
    title.textContent = t('intake.title', { days: days.value });
    const answer = await attempt(list, () => api('GET', `/ingests?days=${encodeURIComponent(days.value)}`));
    if (!answer) return;
    if (!answer.ingests.length) return fill(list, h('p', { className: 'quiet' }, t('intake.none')));
    fill(list, table([
      { label: t('col.id'), value: i => `#${i.id}` },
      { label: t('col.source'), value: i => i.channel },
      { label: t('col.file'), value: i => i.source_name },
      { label: t('col.started'), value: i => when(i.started_at) },
      { label: t('col.status'), value: i => h('span', { className: `badge ${i.status === 'failed' ? 'bad' : i.status === 'done' ? 'good' : 'warn'}` }, statusText(i.status)) },
      { label: t('col.lines'), value: i => i.rows_total, num: true },
      { label: t('col.new'), value: i => i.rows_new, num: true },
      { label: t('col.updated'), value: i => i.rows_updated, num: true },
      { label: t('col.duplicate'), value: i => i.rows_duplicate, num: true },
      { label: t('col.review'), value: i => i.rows_review, num: true },
      { label: t('col.rejected'), value: i => i.rows_rejected, num: true },
      { label: t('col.warnings'), value: i => i.warnings, num: true },
      { label: t('col.reconciled'), value: i => i.reconciled ? t('intake.reconciled') : h('strong', { className: 'badge bad' }, t('intake.notReconciled')) },
      { label: '', value: i => h('button', { type: 'button', className: 'secondary', id: `ingest-${i.id}`, onclick: () => show(details, i.id) }, t('intake.details')) },
    ], answer.ingests, { id: 'ingest-table' }));
  };
  const form = h('form', { className: 'fields', onsubmit: event => { event.preventDefault(); load(); } },
    field('intake-days', t('intake.days'), days), h('div', {}, h('button', { type: 'submit' }, t('health.show'))));
  fill(main, title, form, list, details);
  await load();
}

function statusText(status) {
  return tOr(`intake.status.${status}`, status);
}

function todo(ingest) {
  if (ingest.status === 'failed') return t('intake.todo.failed');
  if (ingest.status === 'duplicate') return t('intake.todo.duplicate');
  const notes = [];
  if (ingest.rows_rejected > 0) notes.push(t('intake.todo.rejected'));
  if (ingest.rows_review > 0) notes.push(t('intake.todo.review'));
  return notes.length ? notes.join(' ') : t('intake.todo.ok');
}

async function show(place, id) {
  const ingest = await attempt(place, () => api('GET', `/ingests/${id}`));
  if (!ingest) return;
  const kind = ingest.status === 'failed' || ingest.rows_rejected > 0 ? 'error' : ingest.rows_review > 0 ? 'note' : 'ok';
  fill(place, 
    h('h2', { tabindex: '-1', id: 'ingest-heading' }, `#${ingest.id} · ${ingest.source_name}`),
    h('p', { className: 'quiet' }, [ingest.channel, ingest.format, when(ingest.started_at)].filter(Boolean).join(' · ')),
    ingest.error ? message('error', ingest.error) : null,
    message(kind, todo(ingest)),
    h('p', { className: 'row' },
      h('a', { href: `/api/ingests/${id}/rejects.csv`, id: 'download-rejects', download: '' }, t('intake.rejects')),
      ingest.status === 'failed' ? h('a', { href: `/api/ingests/${id}/failed-file`, id: 'download-failed', download: '' }, t('intake.failedFile')) : null),
    h('h3', {}, t('intake.lines')),
    table([
      { label: t('col.line'), value: i => i.line, num: true },
      { label: t('col.outcome'), value: i => h('span', { className: `badge ${i.outcome === 'rejected' ? 'bad' : 'warn'}` }, t(`intake.outcome.${i.outcome}`)) },
      { label: t('col.column'), value: i => i.column },
      { label: t('col.value'), value: i => i.value },
      { label: t('col.reason'), value: i => i.reason },
    ], ingest.issues, { id: 'ingest-issues' }));
  document.getElementById('ingest-heading')?.focus();
}
