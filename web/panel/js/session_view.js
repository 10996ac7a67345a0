// SPDX-License-Identifier: Apache-2.0
// The session view: program and profile choice with the validated plan (description, computed
// duration, phases), start, pause, resume, end, and the progress of the running session.
import {describeOutcome, explainError, formatDuration, roleAtLeast} from './words.js';

const $ = (id) => document.getElementById(id);

export class SessionView {
  constructor(rpc) {
    this.rpc = rpc;
    this.role = 'none';
    this.state = null;
    this.programs = [];
    this.busy = false;
    $('program').addEventListener('change', () => this.showPlan());
    $('profile').addEventListener('change', () => this.showPlan());
    $('start').addEventListener('click', () => this.command('session.start', () => this.startParams()));
    $('pause').addEventListener('click', () => this.command('session.pause'));
    $('resume').addEventListener('click', () => this.command('session.resume'));
    $('end').addEventListener('click', () => this.command('session.stop'));
  }

  // After (re)connecting: the catalog and the profiles.
  async load(role) {
    this.role = role;
    try {
      const [programs, profiles] = await Promise.all([
        this.rpc.call('program.list'), this.rpc.call('profile.list')]);
      this.programs = programs.programs;
      this.fillPrograms();
      this.fillProfiles(profiles.profiles);
      await this.showPlan();
    } catch (e) {
      this.message(explainError(e));
    }
    this.updateButtons();
  }

  fillPrograms() {
    const select = $('program');
    const keep = select.value;
    select.replaceChildren(...this.programs.map((p) => new Option(p.name, p.name)));
    if (this.programs.some((p) => p.name === keep)) select.value = keep;
    else if (this.programs.some((p) => p.name === 'quick-check')) select.value = 'quick-check';
  }

  fillProfiles(profiles) {
    const select = $('profile');
    const keep = select.value;
    select.replaceChildren(new Option('Site limits', ''),
                           ...profiles.map((p) => new Option(p.name, p.name)));
    select.value = keep;
    if (select.value !== keep) select.value = '';
  }

  startParams() {
    const params = {program: $('program').value};
    if ($('profile').value) params.profile = $('profile').value;
    return params;
  }

  // The chosen program checked against the limits: its description, duration and phases.
  async showPlan() {
    const info = $('program-info');
    const name = $('program').value;
    if (!name) {
      info.textContent = 'No programs for this device.';
      return;
    }
    const summary = this.programs.find((p) => p.name === name) || {};
    const heading = document.createElement('p');
    heading.textContent = summary.description || '';
    try {
      const checked = await this.rpc.call('program.validate', this.startParams());
      const plan = checked.plan;
      const duration = document.createElement('p');
      duration.textContent = 'About ' + formatDuration(plan.total_seconds) + ', ' +
          plan.phases.length + ' phases' +
          (plan.repetitions > 1 ? ', ' + plan.repetitions + ' repetitions' : '') + ':';
      const list = document.createElement('ol');
      list.id = 'program-phases';
      for (const phase of plan.phases) {
        const item = document.createElement('li');
        item.textContent = phase.label;
        list.append(item);
      }
      info.replaceChildren(heading, duration, list);
      info.dataset.totalSeconds = String(plan.total_seconds);
    } catch (e) {
      const problem = document.createElement('p');
      problem.className = 'error';
      problem.textContent = explainError(e);
      info.replaceChildren(heading, problem);
    }
  }

  async command(method, params = () => ({})) {
    this.busy = true;
    this.updateButtons();
    this.message('');
    try {
      await this.rpc.call(method, params());
      this.message(method === 'session.start' ? 'Started.' : '', true);
    } catch (e) {
      this.message(explainError(e));
    }
    this.busy = false;
    this.updateButtons();
  }

  message(text, ok = false) {
    $('message').textContent = text;
    $('message').classList.toggle('ok', ok);
  }

  // One status object: progress of the running session, buttons for this state.
  update(status) {
    if (this.state !== status.state && this.state !== null) this.message('');
    this.state = status.state;
    const session = status.session;
    const fill = $('progress-fill');
    const text = $('progress-text');
    const progress = $('progress');
    if (session) {
      fill.style.width = Math.round(Math.min(1, Math.max(0, session.progress)) * 100) + '%';
      const parts = [
        'Phase ' + (session.phase_index + 1) + ' of ' + session.phase_count + ': ' + session.phase_label,
      ];
      if (session.repetitions > 1 && session.repetition > 0) {
        parts.push('repetition ' + session.repetition + ' of ' + session.repetitions);
      }
      parts.push(formatDuration(session.remaining_seconds) + ' left');
      text.textContent = session.program + ' — ' + parts.join(' · ');
      progress.dataset.phase = String(session.phase_index);
      progress.dataset.progress = String(session.progress);
    } else {
      fill.style.width = '0';
      const last = status.last_session;
      text.textContent = last
          ? 'Last session: ' + last.program + ', ' + describeOutcome(last.outcome)
          : 'No session running';
      delete progress.dataset.phase;
      progress.dataset.progress = last && last.outcome === 'completed' ? '1' : '0';
    }
    progress.dataset.state = status.state;
    this.updateButtons();
  }

  updateButtons() {
    const operator = roleAtLeast(this.role, 'operator');
    const state = this.state;
    const set = (id, enabled) => { $(id).disabled = this.busy || !operator || !enabled; };
    set('start', state === 'idle');
    set('pause', state === 'running');
    set('resume', state === 'paused');
    set('end', state === 'running' || state === 'paused' || state === 'starting');
    $('program').disabled = state !== 'idle' && state !== null;
    $('profile').disabled = $('program').disabled;
    if (!operator && this.role !== 'none') {
      $('start').title = 'Your role (' + this.role + ') may watch, not start sessions';
    }
  }
}

