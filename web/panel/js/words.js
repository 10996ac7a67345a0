// SPDX-License-Identifier: Apache-2.0
// What the daemon's tokens mean, in words a person by the table reads at a glance. A state or a
// reason this page does not know is shown as it comes, never hidden.

const STATES = {
  idle: {words: 'Ready — at home', tone: 'ok'},
  starting: {words: 'Starting', tone: 'active'},
  running: {words: 'Running', tone: 'active'},
  paused: {words: 'Paused — holding still', tone: 'hold'},
  stopping: {words: 'Returning home', tone: 'hold'},
  recovering: {words: 'Returning home (recovering)', tone: 'hold'},
  selftest: {words: 'Self-test — nobody on the device', tone: 'active'},
  fault: {words: 'Fault', tone: 'alarm'},
  estop: {words: 'Emergency stop', tone: 'alarm'},
  disconnected: {words: 'Device not connected', tone: 'off'},
};

export function describeState(state) {
  return STATES[state] || {words: String(state), tone: 'unknown'};
}

const OUTCOMES = {
  completed: 'completed',
  stopped: 'ended early',
  stop_switch: 'patient stop switch',
  estopped: 'emergency stop',
  faulted: 'fault',
  interrupted: 'interrupted',
};

export function describeOutcome(outcome) {
  if (outcome === null || outcome === undefined) return 'running';
  return OUTCOMES[outcome] || String(outcome);
}

const REASONS = {
  permission_denied: 'Your role does not allow this.',
  session_active: 'A session is already running.',
  no_session: 'No session is running.',
  device_fault: 'The device is in fault: it must be reset first.',
  estopped: 'Emergency stop is latched: it must be reset first.',
  device_unavailable: 'The device is not reachable.',
  data_stale: 'The device’s readings are too old; try again.',
  stop_switch_unplugged: 'The patient stop switch is not plugged in: nothing starts without it.',
  stop_switch_pressed: 'The patient stop switch is pressed: release it first.',
  not_at_rest: 'The device is still moving: wait until it is at rest.',
  limit_exceeded: 'This program exceeds the limits for this profile.',
  unknown_program: 'No such program.',
  unknown_profile: 'No such profile.',
  history_unavailable: 'The session history cannot be written: sessions cannot start.',
  too_many_requests: 'Too many requests from this page; slow down.',
  daemon_unreachable: 'tractiond is not reachable.',
};

// A refused request in words: the daemon's message stays, with a plain sentence before it.
export function explainError(error) {
  const plain = REASONS[error.reason];
  return plain ? plain + ' (' + error.message + ')' : error.message;
}

// What a fault or an emergency stop means for the person on the table, and what to do.
export function explainFault(state, fault, canReset) {
  const who = canReset ? 'Then press Reset.' : 'Then ask an administrator to reset it.';
  if (state === 'estop') {
    // "emergency stop by uid=… pid=…" names a process, which tells a person nothing.
    const reason = fault && !fault.startsWith('emergency stop by ') ? 'Reason: ' + fault + '. ' : '';
    return 'Emergency stop: the session ended and the table or bench is brought home. ' + reason +
           'Check the person. ' + who;
  }
  return 'Fault: ' + (fault || 'unknown') + '. The device releases to home. Check the person. ' + who;
}

export const ROLE_RANK = {none: 0, observer: 1, operator: 2, admin: 3};

export function roleAtLeast(role, wanted) {
  return (ROLE_RANK[role] ?? 0) >= ROLE_RANK[wanted];
}

// "2 min 05 s", "45 s".
export function formatDuration(seconds) {
  if (seconds === null || seconds === undefined || !isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return s + ' s';
  const rest = s % 60;
  return Math.floor(s / 60) + ' min ' + (rest < 10 ? '0' : '') + rest + ' s';
}

export function unitSymbol(unit) {
  return unit === 'deg' ? '°' : unit === 'N' ? 'N' : (unit || '');
}

// A reading with the precision a person can use: angles to 0.1°, forces to 1 N.
export function formatValue(value, unit) {
  if (value === null || value === undefined || !isFinite(value)) return '—';
  return unit === 'N' ? Math.round(value).toString() : value.toFixed(1);
}

// The axis reading of a status object's device.
export function axisValue(device) {
  if (!device) return null;
  return device.unit === 'N' ? device.force_n : device.angle_deg;
}
