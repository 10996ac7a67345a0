// SPDX-License-Identifier: Apache-2.0
// JSON-RPC 2.0 over the panel's WebSocket (/ws): calls return promises matched by id;
// notifications go to listeners. The socket reconnects by itself with a growing pause.

export function socketUrl(path) {
  return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + path;
}

// An error reply as an Error with the daemon's code, reason and data.
export class RpcError extends Error {
  constructor(error) {
    super(error.message || 'error');
    this.code = error.code;
    this.data = error.data || {};
    this.reason = this.data.reason || '';
  }
}

export class Rpc {
  constructor(path) {
    this.path = path;
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = new Map();
    this.retryMs = 500;
    this.socket = null;
    this.stopped = false;
  }

  // event: 'open', 'close' (reason), or a notification method ('status.update', 'event', ...).
  on(event, listener) {
    if (!this.listeners.has(event)) this.listeners.set(event, []);
    this.listeners.get(event).push(listener);
  }

  emit(event, value) {
    for (const listener of this.listeners.get(event) || []) {
      try {
        listener(value);
      } catch (e) {
        console.error(event, e);
      }
    }
  }

  connect() {
    const socket = new WebSocket(socketUrl(this.path));
    this.socket = socket;
    socket.onopen = () => {
      this.retryMs = 500;
      this.emit('open');
    };
    socket.onmessage = (message) => this.receive(message.data);
    socket.onclose = (closed) => {
      for (const [, call] of this.pending) call.reject(new RpcError({message: 'connection lost'}));
      this.pending.clear();
      this.emit('close', closed.reason || 'connection lost');
      if (!this.stopped) {
        setTimeout(() => this.connect(), this.retryMs);
        this.retryMs = Math.min(this.retryMs * 2, 5000);
      }
    };
  }

  receive(text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch (e) {
      return;
    }
    if (message.method) {
      this.emit(message.method, message.params);
      return;
    }
    const call = this.pending.get(message.id);
    if (!call) return;
    this.pending.delete(message.id);
    clearTimeout(call.timer);
    if (message.error) call.reject(new RpcError(message.error));
    else call.resolve(message.result);
  }

  call(method, params = {}, timeoutMs = 15000) {
    return new Promise((resolve, reject) => {
      if (!this.socket || this.socket.readyState !== WebSocket.OPEN) {
        reject(new RpcError({message: 'not connected to the panel'}));
        return;
      }
      const id = this.nextId++;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RpcError({message: method + ': no answer in time'}));
      }, timeoutMs);
      this.pending.set(id, {resolve, reject, timer});
      this.socket.send(JSON.stringify({jsonrpc: '2.0', id, method, params}));
    });
  }

  isOpen() {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN;
  }
}
