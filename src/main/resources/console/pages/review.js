// Review (keeper, manager): changes held for review side by side with the archive's value and both
// sources (D-13, D-16), archives from low-trust sources waiting to be filed, and survey responses
// waiting for a match (D-5). Every look and decision is the API's, audited there. A held sensitive
// column (field held:<heading>, its value sealed) is accepted by a manager, who says where it goes.
import { api, attempt, field, fill, h, message, session, t, tOr, table, when } from '../core.js';

export async function render(main) {
  const changes = h('section', { id: 'review-changes' });
  const surveys = h('section', { id: 'review-surveys' });
  fill(main, h('h1', {}, t('review.title')), changes, surveys);
  await Promise.all([queue(changes), surveyQueue(surveys)]);
}

/** A held sensitive column: its value sealed, accepted by a manager only, as health, allergies or an extra attribute. */
function held(change) {
  return change.field.startsWith('held:');
}

function source(text, line) {
  return [text, line ? `#${line}` : null].filter(Boolean).join(' ');
}

async function queue(place) {
  const body = h('div');
  fill(place, h('h2', {}, t('review.changes')), body);
  const answer = await attempt(body, () => api('GET', '/review'));
  if (!answer) return;
  const decide = (change, verb) => async event => {
    const cell = event.target.closest('td');
    const as = cell.querySelector('select')?.value;
    const done = await attempt(cell, () => api('POST', `/review/${change.id}/${verb}`, verb === 'accept' && as ? { as } : {}));
    if (done) fill(cell, message('ok', t('review.done')));
  };
  const file = row => async event => {
    const cell = event.target.closest('td');
    const done = await attempt(cell, () => api('POST', `/review/archives/${encodeURIComponent(row.archive_no)}/file`, {}));
    if (done) fill(cell, message('ok', t('review.done')));
  };
  fill(body,
    answer.changes.length ? table([
      { label: t('col.archiveNo'), value: c => c.archive_no },
      { label: t('review.field'), value: c => held(c) ? t('review.heldColumn', { heading: c.field.slice(5) }) : tOr(`field.${c.field}`, c.field) },
      { label: t('review.current'), value: c => c.current ?? '—' },
      { label: t('review.currentSource'), value: c => source(c.current_source, c.current_line) },
      { label: t('review.proposed'), value: c => h('strong', {}, c.proposed ?? '—') },
      { label: t('review.proposedSource'), value: c => source(c.source, c.line) },
      { label: t('col.reason'), value: c => c.reason },
      { label: '', value: c => h('div', { className: 'row' },
        ...(held(c) && session.role !== 'manager' ? [] : [
          ...(held(c) ? [h('select', { id: `review-as-${c.id}`, 'aria-label': t('review.as') },
            ...['health', 'allergies', 'extra'].map(as => h('option', { value: as }, t(`review.as.${as}`))))] : []),
          h('button', { type: 'button', id: `review-accept-${c.id}`, onclick: decide(c, 'accept') }, t('review.accept'))]),
        h('button', { type: 'button', className: 'secondary', id: `review-reject-${c.id}`, onclick: decide(c, 'reject') }, t('review.reject'))) },
    ], answer.changes, { id: 'review-change-table' }) : h('p', { className: 'quiet' }, t('review.changes.none')),
    h('h2', {}, t('review.archives')),
    answer.archives.length ? table([
      { label: t('col.archiveNo'), value: a => a.archive_no },
      { label: t('col.name'), value: a => a.name },
      { label: t('col.source'), value: a => a.source },
      { label: '', value: a => h('button', { type: 'button', onclick: file(a) }, t('review.file')) },
    ], answer.archives) : h('p', { className: 'quiet' }, t('review.archives.none')));
}

async function surveyQueue(place) {
  const body = h('div');
  fill(place, h('h2', {}, t('review.surveys')), body);
  const answer = await attempt(body, () => api('GET', '/surveys/review'));
  if (!answer) return;
  if (!answer.pending.length) return fill(body, h('p', { className: 'quiet' }, t('review.surveys.none')));
  fill(body, table([
    { label: t('col.id'), value: r => `#${r.id}` },
    { label: t('col.received'), value: r => when(r.received_at) },
    { label: t('col.reason'), value: r => r.reason },
    { label: t('field.name'), value: r => r.response?.customer?.name ?? '' },
    { label: t('field.score'), value: r => r.response?.score ?? '' },
    { label: t('review.link'), value: r => {
      const input = h('input', { type: 'text', inputmode: 'numeric', id: `link-${r.id}` });
      const status = h('span', { 'aria-live': 'polite' });
      return h('form', { className: 'row', onsubmit: async event => {
        event.preventDefault();
        const done = await attempt(status, () => api('POST', `/surveys/review/${r.id}/link`, { archive_no: input.value.trim() }));
        if (done) fill(status, message('ok', done.message ?? t('review.done')));
      } }, h('label', { for: input.id }, t('review.linkTo')), input, h('button', { type: 'submit' }, t('review.link')), status);
    } },
  ], answer.pending));
}
