// SPDX-License-Identifier: Apache-2.0
// The bedside panel: who is here, the live state (in words and colour), the reading, the plot,
// the session and the history. Status comes as status.update notifications at 20 per second.
import {HistoryView} from './history_view.js';
import {askLogin, logOut, whoAmI} from './login.js';
import {LivePlot} from './plot.js';
import {Rpc} from './rpc.js';
import {SessionView} from './session_view.js';
import {reopenStopSocket} from './stop.js';
import {axisValue, describeState, explainError, explainFault, formatValue, roleAtLeast, unitSymbol}
    from './words.js';

const $ = (id) => document.getElementById(id);
const UPDATES_PER_SECOND = 20;

class Panel {
  constructor() {
    this.rpc = new Rpc('/ws');
    this.role = 'none';
    // 90 s of history on a tablet; 60 s on a phone, where the plot is narrow.
    this.plot = new LivePlot($('live-plot'), window.innerWidth < 600 ? 60 : 90);
    this.session = new SessionView(this.rpc);
    this.history = new HistoryView(this.rpc);
    this.phaseKey = null;
    this.lastStatus = null;
    this.rpc.on('panel.hello', (hello) => this.hello(hello));
    this.rpc.on('status.update', (update) => this.render(update.status));
    this.rpc.on('event', (event) => this.event(event));
    this.rpc.on('close', (reason) => this.showState('disconnected-panel', reason));
    $('tab-session').addEventListener('click', () => this.show('session'));
    $('tab-history').addEventListener('click', () => this.show('history'));
    $('logout').addEventListener('click', logOut);
    $('reset').addEventListener('click', () => this.reset());
  }

  start(who) {
    $('who').textContent = who.user + ' · ' + who.role;
    $('logout').hidden = !who.login;
    this.rpc.connect();
  }

  // The relay has lowered this page's daemon connection to its role: start listening.
  async hello(hello) {
    this.role = hello.role;
    $('who').textContent = hello.user + ' · ' + hello.role + (hello.kiosk ? ' (kiosk)' : '');
    try {
      this.render(await this.rpc.call('status.get'));
      await this.rpc.call('status.subscribe', {rate_hz: UPDATES_PER_SECOND, events: true});
    } catch (e) {
      $('message').textContent = explainError(e);
    }
    await this.session.load(this.role);
    if (!$('view-history').hidden) await this.history.load(this.role);
  }

  show(view) {
    $('view-session').hidden = view !== 'session';
    $('view-history').hidden = view !== 'history';
    $('tab-session').setAttribute('aria-selected', String(view === 'session'));
    $('tab-history').setAttribute('aria-selected', String(view === 'history'));
    if (view === 'history') this.history.load(this.role);
  }

  showState(state, detail) {
    const element = $('state');
    let described = state === 'disconnected-panel'
        ? {words: 'Panel not connected' + (detail ? ': ' + detail : ''), tone: 'off'}
        : describeState(state);
    // The self-test says what it asks of the person at the device.
    if (state === 'selftest' && detail) described = {...described, words: 'Self-test: ' + detail};
    element.className = 'state tone-' + described.tone;
    element.dataset.state = state;
    element.firstElementChild.textContent = described.words;
  }

  render(status) {
    this.lastStatus = status;
    this.showState(status.state, status.selftest ? status.selftest.prompt : undefined);
    const unit = status.unit || (status.device && status.device.unit);
    const value = axisValue(status.device);
    $('actual').textContent = formatValue(value, unit);
    $('unit').textContent = unitSymbol(unit);
    $('setpoint').textContent = formatValue(status.setpoint, unit) + ' ' + unitSymbol(unit);
    this.plot.setUnit(unit === 'N' ? 'force (N)' : 'angle (°)');
    if (value !== null && value !== undefined) {
      this.plot.push(performance.now() / 1000, status.setpoint, value);
    }
    this.markPhase(status.session);
    this.markState(status.state);
    this.showFault(status);
    this.session.update(status);
  }

  // A new phase (or a new session) gets a mark on the live plot.
  markPhase(session) {
    const key = session ? session.id + '/' + session.phase_index : null;
    if (key && key !== this.phaseKey) this.plot.markPhase(performance.now() / 1000, session.phase_label);
    this.phaseKey = key;
  }

  // A stop, a pause or a fault gets a mark on the live plot too.
  markState(state) {
    const marked = ['paused', 'stopping', 'recovering', 'fault', 'estop'];
    if (state !== this.lastState && marked.includes(state)) {
      this.plot.markPhase(performance.now() / 1000, describeState(state).words);
    }
    this.lastState = state;
  }

  showFault(status) {
    const latched = status.state === 'fault' || status.state === 'estop';
    $('fault').hidden = !latched;
    if (!latched) return;
    const canReset = roleAtLeast(this.role, 'admin');
    $('fault-text').textContent = explainFault(status.state, status.fault, canReset);
    $('reset').hidden = !canReset;
  }

  event(event) {
    if (event.kind === 'session_ended' && !$('view-history').hidden) this.history.load(this.role);
  }

  async reset() {
    try {
      await this.rpc.call('device.reset');
    } catch (e) {
      $('fault-text').textContent = explainError(e);
    }
  }
}

async function main() {
  // Chart.js is a classic deferred script: it has run before modules execute.
  const panel = new Panel();
  let who = await whoAmI();
  if (who.login_required) {
    $('view-session').hidden = true;
    $('tab-session').hidden = true;
    $('tab-history').hidden = true;
    await askLogin();
    who = await whoAmI();
    $('view-session').hidden = false;
    $('tab-session').hidden = false;
    $('tab-history').hidden = false;
    reopenStopSocket();
  }
  panel.start(who);
}

main();
