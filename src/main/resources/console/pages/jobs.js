// Jobs and deliveries (administrator): the last run of every scheduled job with its duration and
// outcome, run one now, notifications parked after their last attempt with the last error, retry.
import { api, attempt, fill, h, message, t, table, when } from '../core.js';

export async function render(main) {
  const jobs = h('section', { id: 'jobs' });
  const parked = h('section', { id: 'parked' });
  fill(main, h('h1', {}, t('jobs.title')), jobs, h('h2', {}, t('jobs.parked')), parked);
  await Promise.all([jobList(jobs), parkedList(parked)]);
}

async function jobList(place) {
  const answer = await attempt(place, () => api('GET', '/jobs'));
  if (!answer) return;
  const run = job => async event => {
    const cell = event.target.closest('td');
    event.target.disabled = true;
    const done = await attempt(cell, () => api('POST', `/jobs/${encodeURIComponent(job.job)}/run`, {}));
    if (done) {
      await jobList(place);
      place.prepend(message(done.status === 'done' ? 'ok' : 'error', t('jobs.ran', { job: done.job, status: done.status })
        + (done.error ? ` — ${done.error}` : '')));
    }
  };
  fill(place, table([
    { label: t('col.job'), value: j => h('span', { title: j.description ?? '' }, j.job) },
    { label: t('col.lastRun'), value: j => j.last_run ? when(j.last_run.started_at) : '—' },
    { label: t('col.duration'), value: j => j.last_run ? `${(j.last_run.duration_ms / 1000).toFixed(1)} s` : '', num: true },
    { label: t('col.status'), value: j => j.last_run ? h('span', { className: `badge ${j.last_run.status === 'done' ? 'good' : 'bad'}` }, j.last_run.status) : '' },
    { label: t('col.runs'), value: j => j.last_run ? `${j.last_run.runs_30d} / ${j.last_run.failures_30d}` : '0', num: true },
    { label: t('col.error'), value: j => j.last_run?.error ?? '' },
    { label: '', value: j => h('button', { type: 'button', className: 'secondary', id: `run-${j.job}`, onclick: run(j) }, t('jobs.runNow')) },
  ], answer.jobs, { id: 'job-table' }));
}

async function parkedList(place) {
  const answer = await attempt(place, () => api('GET', '/notifications?status=parked'));
  if (!answer) return;
  if (!answer.deliveries.length) return fill(place, h('p', { className: 'quiet' }, t('jobs.parked.none')));
  const retry = delivery => async event => {
    const cell = event.target.closest('td');
    const done = await attempt(cell, () => api('POST', `/notifications/${delivery.event_id}/retry`, {}));
    if (done) fill(cell, message('ok', t('jobs.retried', { count: done.retried })));
  };
  fill(place, table([
    { label: t('col.created'), value: d => when(d.created_at) },
    { label: t('col.kind'), value: d => d.kind },
    { label: t('col.archiveNo'), value: d => d.archive_no ?? '' },
    { label: t('col.subscriber'), value: d => d.subscriber },
    { label: t('col.attempts'), value: d => d.attempts, num: true },
    { label: t('col.lastError'), value: d => d.last_error ?? '' },
    { label: '', value: d => h('button', { type: 'button', onclick: retry(d) }, t('jobs.retry')) },
  ], answer.deliveries, { id: 'parked-table' }));
}
