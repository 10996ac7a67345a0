// SPDX-License-Identifier: Apache-2.0
// The history view: recorded sessions (newest first), one session's plot with its phases, and
// the comfort feedback that progression programs use.
import {drawSession} from './plot.js';
import {describeOutcome, explainError, formatDuration, formatValue, roleAtLeast, unitSymbol}
    from './words.js';

const $ = (id) => document.getElementById(id);

function utcToLocal(text) {
  if (!text) return '—';
  const date = new Date(text);
  return isNaN(date) ? text : date.toLocaleString([], {day: 'numeric', month: 'short', hour: '2-digit',
                                                       minute: '2-digit'});
}

function comfortText(session) {
  const show = (v) => (v === null || v === undefined ? '–' : v);
  if (session.comfort_before === null && session.comfort_after === null) return '—';
  return show(session.comfort_before) + ' → ' + show(session.comfort_after);
}

export class HistoryView {
  constructor(rpc) {
    this.rpc = rpc;
    this.role = 'none';
    this.chart = null;
    this.selected = null;
    $('feedback').addEventListener('submit', (event) => {
      event.preventDefault();
      this.saveFeedback();
    });
  }

  async load(role) {
    this.role = role;
    const body = $('history-list').tBodies[0];
    try {
      const list = await this.rpc.call('history.list', {limit: 50});
      body.replaceChildren(...list.sessions.map((s) => this.row(s)));
      $('history-empty').hidden = list.sessions.length > 0;
      if (!this.selected && list.sessions.length > 0) await this.open(list.sessions[0].id);
    } catch (e) {
      $('history-empty').hidden = false;
      $('history-empty').textContent = explainError(e);
    }
  }

  row(session) {
    const tr = document.createElement('tr');
    tr.tabIndex = 0;
    tr.dataset.id = session.id;
    const unit = unitSymbol(session.unit);
    for (const text of [utcToLocal(session.started_utc), session.program,
                        describeOutcome(session.outcome),
                        session.peak === null ? '—' : formatValue(session.peak, session.unit) + ' ' + unit,
                        formatDuration(session.duration_seconds), comfortText(session)]) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    tr.setAttribute('aria-selected', String(session.id === this.selected));
    const open = () => this.open(session.id);
    tr.addEventListener('click', open);
    tr.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        open();
      }
    });
    return tr;
  }

  async open(id) {
    this.selected = id;
    for (const tr of $('history-list').tBodies[0].rows) {
      tr.setAttribute('aria-selected', String(tr.dataset.id === id));
    }
    try {
      const session = await this.rpc.call('history.get', {id, samples: true});
      $('history-detail').hidden = false;
      $('history-title').textContent = session.program + ' — ' + utcToLocal(session.started_utc);
      $('history-summary').textContent = 'Outcome: ' + describeOutcome(session.outcome) +
          (session.reason ? ' (' + session.reason + ')' : '') + '. Length ' +
          formatDuration(session.duration_seconds) + '.';
      const labels = ((session.plan && session.plan.phases) || []).map((p) => p.label);
      const axis = session.unit === 'N' ? 'force (N)' : 'angle (°)';
      this.chart = drawSession($('history-plot'), this.chart, session.samples, axis, labels);
      $('comfort-before').value = session.comfort_before ?? '';
      $('comfort-after').value = session.comfort_after ?? '';
      $('note').value = session.note ?? '';
      const operator = roleAtLeast(this.role, 'operator');
      for (const element of $('feedback').elements) element.disabled = !operator;
      $('feedback-message').textContent = operator ? '' : 'Your role may read, not record feedback.';
    } catch (e) {
      $('history-summary').textContent = explainError(e);
    }
  }

  async saveFeedback() {
    const params = {id: this.selected};
    const number = (id) => ($(id).value === '' ? undefined : Number($(id).value));
    if (number('comfort-before') !== undefined) params.comfort_before = number('comfort-before');
    if (number('comfort-after') !== undefined) params.comfort_after = number('comfort-after');
    if ($('note').value !== '') params.note = $('note').value;
    try {
      await this.rpc.call('session.feedback', params);
      $('feedback-message').textContent = 'Saved.';
      await this.load(this.role);
    } catch (e) {
      $('feedback-message').textContent = explainError(e);
    }
  }
}
