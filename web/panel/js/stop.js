// SPDX-License-Identifier: Apache-2.0
// The STOP button: one touch sends device.estop at once. It has its own WebSocket (/ws/stop),
// opened at load and kept open, which carries estops only, so a STOP never waits behind a large
// reply or anything else the page is doing. If that socket is not open, or gives no answer
// within a second, the STOP goes over HTTP (POST /api/estop) as well. This module depends on
// nothing else of the page.
import {socketUrl} from './rpc.js';

const button = document.getElementById('stop');
const status = document.getElementById('stop-status');
let socket = null;
let nextId = 1;
const waiting = new Map();  // id → timer of the HTTP fallback
let retryMs = 250;
let retryTimer = null;

function show(text, failed = false) {
  status.textContent = text;
  status.classList.toggle('failed', failed);
}

function openSocket() {
  socket = new WebSocket(socketUrl('/ws/stop'));
  socket.onopen = () => { retryMs = 250; };
  socket.onmessage = (message) => {
    let reply;
    try {
      reply = JSON.parse(message.data);
    } catch (e) {
      return;
    }
    const timer = waiting.get(reply.id);
    if (timer === undefined) return;
    clearTimeout(timer);
    waiting.delete(reply.id);
    answered(reply);
  };
  socket.onclose = () => {
    socket = null;
    retryTimer = setTimeout(openSocket, retryMs);
    retryMs = Math.min(retryMs * 2, 3000);
  };
}

// After a login: the STOP socket opens now instead of at its next retry.
export function reopenStopSocket() {
  if (socket) return;
  clearTimeout(retryTimer);
  retryMs = 250;
  openSocket();
}

function answered(reply) {
  if (reply.error) {
    show('STOP failed: ' + reply.error.message + '. Use the patient stop switch!', true);
  } else {
    show('STOP sent');
    setTimeout(() => { if (status.textContent === 'STOP sent') show(''); }, 4000);
  }
}

function overHttp() {
  fetch('/api/estop', {method: 'POST', credentials: 'same-origin', keepalive: true,
                       headers: {'Content-Type': 'application/json'}, body: '{}'})
      .then((response) => response.json())
      .then(answered)
      .catch(() => show('STOP could not reach the panel. Use the patient stop switch!', true));
}

// Sends device.estop now, on the STOP socket when it is open, else over HTTP.
export function sendStop() {
  button.classList.add('sent');
  setTimeout(() => button.classList.remove('sent'), 600);
  show('STOP…');
  if (socket && socket.readyState === WebSocket.OPEN) {
    const id = nextId++;
    socket.send(JSON.stringify({jsonrpc: '2.0', id, method: 'device.estop'}));
    waiting.set(id, setTimeout(() => { waiting.delete(id); overHttp(); }, 1000));
  } else {
    overHttp();
  }
}

// Touch and mouse act on the press itself, not on the release; the keyboard (Enter, Space) and
// assistive technology act through click, whose detail is then 0.
button.addEventListener('pointerdown', (event) => {
  if (event.button === 0) sendStop();
});
button.addEventListener('click', (event) => {
  if (event.detail === 0) sendStop();
});
// Escape anywhere on the page is STOP too.
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') sendStop();
});

export function stopSocketOpen() {
  return socket !== null && socket.readyState === WebSocket.OPEN;
}

openSocket();
