// Health of the archive (manager, auditor): the D-33 KPIs from /api/kpi as charts — completeness per
// field, timeliness, the rejected share per channel over the months, denied and out-of-policy accesses
// per person. The chart library is Apache ECharts from the jar (/console/vendor/echarts.min.js).
import { api, attempt, field, fill, h, message, t, tOr } from '../core.js';

let loading;

function echarts() {
  if (window.echarts) return Promise.resolve(window.echarts);
  loading ??= new Promise((resolve, reject) => {
    const script = h('script', { src: '/console/vendor/echarts.min.js' });
    script.addEventListener('load', () => resolve(window.echarts));
    script.addEventListener('error', () => reject(new Error('echarts.min.js')));
    document.head.append(script);
  });
  return loading;
}

function monthsBefore(month, count) {
  const [year, m] = month.split('-').map(Number);
  const months = [];
  for (let i = count - 1; i >= 0; i--) {
    const d = new Date(Date.UTC(year, m - 1 - i, 1));
    months.push(`${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`);
  }
  return months;
}

function chart(id, title, description) {
  const box = h('div', { className: 'chart', id, role: 'img', 'aria-label': `${title}: ${description}` });
  return { box, section: h('section', {}, h('h2', {}, title), box, h('p', { className: 'quiet' }, description)) };
}

export async function render(main, { query }) {
  const now = new Date();
  const current = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}`;
  const month = h('input', { type: 'month', value: query.get('month') ?? current, max: current });
  const place = h('div', { id: 'health' });
  const form = h('form', { className: 'fields', onsubmit: event => { event.preventDefault(); show(place, month.value || current); } },
    field('health-month', t('health.month'), month), h('div', {}, h('button', { type: 'submit' }, t('health.show'))));
  fill(main, h('h1', {}, t('health.title')), form, place);
  await show(place, month.value || current);
}

async function show(place, month) {
  const months = monthsBefore(month, 6);
  const reports = await attempt(place, () => Promise.all(months.map(m => api('GET', `/kpi?month=${m}`))));
  if (!reports) return;
  const lib = await attempt(place, echarts);
  if (!lib) return;
  const report = reports[reports.length - 1];
  const completeness = report.completeness ?? {};
  const missing = completeness.missing_per_field ?? {};
  const fields = Object.keys(missing);
  const label = key => tOr(`field.${key}`, key);
  const percent = share => (share === null || share === undefined ? '—' : `${(Number(share) * 100).toFixed(1)}%`);

  const complete = chart('chart-completeness', t('health.completeness'),
    `${t('health.completeness.share', { share: percent(completeness.share_complete) })} · ${fields.map(f => `${label(f)} ${missing[f]}`).join(', ')}`);
  const channels = [...new Set(reports.flatMap(r => Object.keys(r.accuracy?.rejected_share_per_channel ?? {})))];
  const accuracy = chart('chart-accuracy', t('health.accuracy'), channels.map(c => `${c}: ${reports.map(r => percent(r.accuracy?.rejected_share_per_channel?.[c] ?? 0)).join(' / ')}`).join('; '));
  const timely = chart('chart-timeliness', t('health.timeliness'),
    `${t('health.confirmed')}: ${reports.map((r, i) => `${months[i]} ${percent(r.timeliness?.share_confirmed)}`).join(', ')}`);
  const people = report.accesses?.per_person ?? [];
  const accesses = chart('chart-accesses', t('health.accesses'),
    people.map(p => `${p.actor}: ${t('health.denied')} ${p.denied}, ${t('health.outOfPolicy')} ${p.out_of_policy}`).join('; ') || t('health.noData'));
  fill(place, complete.section, accuracy.section, timely.section, accesses.section);

  const common = { animation: false, grid: { left: 48, right: 16, top: 36, bottom: 56, containLabel: true }, tooltip: { trigger: 'axis' } };
  lib.init(complete.box).setOption({ ...common,
    xAxis: { type: 'category', data: fields.map(label), axisLabel: { interval: 0, rotate: fields.length > 5 ? 30 : 0 } },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'bar', name: t('health.completeness'), data: fields.map(f => missing[f]), itemStyle: { color: '#0b5cad' } }] });
  lib.init(accuracy.box).setOption({ ...common, legend: { top: 0 },
    xAxis: { type: 'category', data: months },
    yAxis: { type: 'value', axisLabel: { formatter: v => `${Math.round(v * 100)}%` } },
    series: channels.map(c => ({ type: 'line', name: c, data: reports.map(r => r.accuracy?.rejected_share_per_channel?.[c] ?? 0) })) });
  lib.init(timely.box).setOption({ ...common,
    xAxis: { type: 'category', data: months },
    yAxis: { type: 'value', max: 1, axisLabel: { formatter: v => `${Math.round(v * 100)}%` } },
    series: [{ type: 'bar', name: t('health.confirmed'), data: reports.map(r => r.timeliness?.share_confirmed ?? 0), itemStyle: { color: '#1a7f37' } }] });
  lib.init(accesses.box).setOption({ ...common, legend: { top: 0 },
    xAxis: { type: 'category', data: people.map(p => p.actor), axisLabel: { interval: 0, rotate: people.length > 5 ? 30 : 0 } },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'bar', stack: 'a', name: t('health.denied'), data: people.map(p => p.denied), itemStyle: { color: '#b42318' } },
      { type: 'bar', stack: 'a', name: t('health.outOfPolicy'), data: people.map(p => p.out_of_policy), itemStyle: { color: '#9a6700' } }] });
  if (!people.length && !fields.length) place.prepend(message('note', t('health.noData')));
}
