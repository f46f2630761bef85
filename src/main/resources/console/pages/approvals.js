// Approvals (manager): access requests (D-25), the annual tier proposals line by line with the
// figures behind each line (D-19), destruction proposals (D-32; never one's own), and customer
// requests near their deadline (D-28). Every decision is the API's: the decider is the session's.
import { api, attempt, field, fill, h, message, session, t, tOr, table, when } from '../core.js';

export async function render(main) {
  const access = h('section', { id: 'access-requests' });
  const tiers = h('section', { id: 'tier-proposals' });
  const destruction = h('section', { id: 'destruction-proposals' });
  const requests = h('section', { id: 'subject-requests' });
  fill(main, h('h1', {}, t('approvals.title')), access, tiers, destruction, requests);
  await Promise.all([accessRequests(access), tierProposals(tiers), destructionProposals(destruction), nearDeadline(requests)]);
}

function reasonInput(id) {
  return h('input', { type: 'text', id, 'aria-label': t('approvals.reason'), placeholder: t('approvals.reason') });
}

async function accessRequests(place) {
  const body = h('div');
  fill(place, h('h2', {}, t('approvals.access')), body);
  const answer = await attempt(body, () => api('GET', '/access-requests'));
  if (!answer) return;
  const pending = answer.requests.filter(r => r.status === 'pending');
  if (!pending.length) return fill(body, h('p', { className: 'quiet' }, t('approvals.access.none')));
  fill(body, table([
    { label: t('col.id'), value: r => `#${r.id}` },
    { label: t('approvals.requester'), value: r => `${r.requester} (${t(`role.${r.requester_role}`)})` },
    { label: t('approvals.archives'), value: r => r.archive_nos.join(', ') },
    { label: t('approvals.categories'), value: r => r.categories.map(c => t(`category.${c}`)).join('、') },
    { label: t('approvals.purpose'), value: r => r.purpose },
    { label: t('approvals.days'), value: r => r.days, num: true },
    { label: t('col.received'), value: r => when(r.requested_at) },
    { label: '', value: r => r.requester === session.name ? h('span', { className: 'quiet' }, t('approvals.own')) : decide(r) },
  ], pending, { id: 'access-request-table' }));
}

function decide(request) {
  const status = h('span', { 'aria-live': 'polite' });
  const reason = reasonInput(`reason-${request.id}`);
  const approve = h('button', { type: 'button', id: `approve-${request.id}`, onclick: async () => {
    const done = await attempt(status, () => api('POST', `/access-requests/${request.id}/approve`, {}));
    if (done) fill(cell, message('ok', t('approvals.done', { status: t(`request.status.${done.status}`) })));
  } }, t('approvals.approve'));
  const reject = h('button', { type: 'button', className: 'danger', id: `reject-${request.id}`, onclick: async () => {
    if (!reason.value.trim()) return fill(status, message('error', t('approvals.reason.needed')));
    const done = await attempt(status, () => api('POST', `/access-requests/${request.id}/reject`, { reason: reason.value.trim() }));
    if (done) fill(cell, message('ok', t('approvals.done', { status: t(`request.status.${done.status}`) })));
  } }, t('approvals.reject'));
  const cell = h('div', { className: 'row' }, approve, reason, reject, status);
  return cell;
}

async function tierProposals(place) {
  const body = h('div');
  fill(place, h('h2', {}, t('approvals.tiers')), body);
  const answer = await attempt(body, () => api('GET', '/tier-proposals'));
  if (!answer) return;
  if (!answer.proposals.length) return fill(body, h('p', { className: 'quiet' }, t('approvals.tiers.none')));
  fill(body, ...answer.proposals.map(p => {
    const lines = h('div');
    return h('div', { className: 'card' },
      h('h3', {}, `#${p.id} · ${p.as_of} (${p.window_from} – ${p.window_to})`),
      h('p', {}, t('approvals.tiers.open', { open: p.open, total: p.lines_total })),
      h('button', { type: 'button', className: 'secondary', id: `tier-show-${p.id}`, onclick: () => tierLines(lines, p.id) }, t('approvals.tiers.show')),
      lines);
  }));
}

async function tierLines(place, id) {
  const proposal = await attempt(place, () => api('GET', `/tier-proposals/${id}`));
  if (!proposal) return;
  const status = h('div', { 'aria-live': 'polite' });
  const boxes = new Map();
  const open = proposal.lines.filter(l => l.status === 'open');
  const grid = table([
    { label: t('col.select'), value: l => {
      if (l.status !== 'open') return tOr(`request.status.${l.status}`, l.status);
      const box = h('input', { type: 'checkbox', id: `tier-line-${id}-${l.line_no}`, 'aria-label': `${t('col.line')} ${l.line_no}` });
      boxes.set(l.line_no, box);
      return box;
    } },
    { label: t('col.line'), value: l => l.line_no, num: true },
    { label: t('col.archiveNo'), value: l => l.archive_no },
    { label: t('col.name'), value: l => l.name },
    { label: t('col.oldTier'), value: l => l.old_tier ?? '—' },
    { label: t('col.newTier'), value: l => h('strong', {}, l.new_tier) },
    { label: t('col.visits'), value: l => l.visits, num: true },
    { label: t('col.spend'), value: l => l.spend, num: true },
    { label: t('col.flags'), value: l => [l.key_decision_maker && t('field.key_decision_maker'), l.important_organisation && t('field.important_organisation'),
      l.out_of_province && t('field.out_of_province')].filter(Boolean).join('、') },
  ], proposal.lines, { id: `tier-lines-${id}` });
  const reason = reasonInput(`tier-reason-${id}`);
  const decide = async (verb, lines) => {
    const body = lines ? { lines } : {};
    if (verb === 'reject') body.reason = reason.value.trim();
    const done = await attempt(status, () => api('POST', `/tier-proposals/${id}/${verb}`, body));
    if (done) {
      await tierLines(place, id);
      place.prepend(message('ok', t('approvals.tiers.decided', { approved: done.state.approved, rejected: done.state.rejected, stale: done.state.stale })));
    }
  };
  const selected = () => [...boxes].filter(([, box]) => box.checked).map(([line]) => line);
  fill(place, grid, open.length ? h('div', { className: 'row' },
    h('button', { type: 'button', id: `tier-approve-${id}`, onclick: () => decide('approve', selected()) }, t('approvals.tiers.approveSelected')),
    h('button', { type: 'button', className: 'secondary', id: `tier-approve-all-${id}`, onclick: () => decide('approve', null) }, t('approvals.tiers.approveAll')),
    reason,
    h('button', { type: 'button', className: 'danger', id: `tier-reject-${id}`, onclick: () => decide('reject', selected()) }, t('approvals.tiers.rejectSelected'))) : null,
  status);
}

async function destructionProposals(place) {
  const body = h('div');
  fill(place, h('h2', {}, t('approvals.destruction')), body);
  const proposals = await attempt(body, () => api('GET', '/destruction-proposals?status=open'));
  if (!proposals) return;
  if (!proposals.length) return fill(body, h('p', { className: 'quiet' }, t('approvals.destruction.none')));
  fill(body, ...proposals.map(p => {
    const status = h('div', { 'aria-live': 'polite' });
    const reason = reasonInput(`destruction-reason-${p.id}`);
    const act = (verb, method) => async () => {
      if (!reason.value.trim()) return fill(status, message('error', t('approvals.reason.needed')));
      const payload = verb === 'approve' ? { method, reason: reason.value.trim() } : { reason: reason.value.trim() };
      const done = await attempt(status, () => api('POST', `/destruction-proposals/${p.id}/${verb}`, payload));
      if (done) fill(status, message('ok', t('approvals.done', { status: done.proposal_status ?? verb })));
    };
    const own = p.filed_by === session.name;
    return h('div', { className: 'card', id: `destruction-${p.id}` },
      h('h3', {}, `#${p.id} · ${p.reason} · ${t('approvals.destruction.filedBy', { by: p.filed_by })} · ${when(p.filed_at)}`),
      p.note ? h('p', {}, p.note) : null,
      h('p', {}, `${p.pending_count} / ${p.line_count}`),
      own ? h('p', { className: 'quiet' }, t('approvals.destruction.own')) : h('div', { className: 'row' }, reason,
        h('button', { type: 'button', onclick: act('approve', 'seal') }, t('approvals.destruction.seal')),
        h('button', { type: 'button', className: 'danger', onclick: act('approve', 'destroy') }, t('approvals.destruction.destroy')),
        h('button', { type: 'button', className: 'secondary', onclick: act('reject') }, t('approvals.reject'))),
      status);
  }));
}

async function nearDeadline(place) {
  const body = h('div');
  fill(place, h('h2', {}, t('approvals.requests')), body);
  const answer = await attempt(body, () => api('GET', '/subject-requests?status=open'));
  if (!answer) return;
  const soon = Date.now() + 3 * 24 * 3600 * 1000;
  const near = answer.requests.filter(r => new Date(r.due_at).getTime() < soon);
  if (!near.length) return fill(body, h('p', { className: 'quiet' }, t('approvals.requests.none')));
  fill(body, table([
    { label: t('col.id'), value: r => `#${r.id}` },
    { label: t('col.archiveNo'), value: r => r.archive_no },
    { label: t('col.kind'), value: r => r.kind },
    { label: t('col.received'), value: r => when(r.received_at) },
    { label: t('col.due'), value: r => h('span', { className: r.overdue ? 'badge bad' : 'badge warn' }, when(r.due_at)) },
  ], near));
}
