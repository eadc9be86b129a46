// The signaling connection: a WebSocket to the gateway (Subscribe stream + sends) that resumes
// after a drop from the last sequence number it saw, so no offer, answer or candidate is lost.
import { t } from './i18n.js';
import { refresh } from './api.js';

export class SignalingSocket {
  constructor(sessionId, lastSeenSeq, { onEvent, onState, onMustRejoin, onFatal }) {
    this.sessionId = sessionId;
    this.lastSeq = Number(lastSeenSeq || 0);
    this.handlers = { onEvent, onState, onMustRejoin, onFatal };
    this.pending = new Map(); // client_msg_id -> {body, resolve, reject}
    this.closed = false;
    this.attempt = 0;
    this.opened = false;
    this.connect();
  }

  url() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const q = new URLSearchParams({ session_id: this.sessionId, last_seen_seq: String(this.lastSeq) });
    return `${scheme}//${location.host}/api/signaling/ws?${q}`;
  }

  connect() {
    if (this.closed) return;
    this.opened = false;
    const ws = new WebSocket(this.url());
    this.ws = ws;
    ws.onopen = () => {
      this.opened = true;
      this.attempt = 0;
      this.handlers.onState?.('connected');
      // Anything not acknowledged goes again with its id: the service delivers it once.
      for (const [id, item] of this.pending) ws.send(JSON.stringify({ ...item.body, client_msg_id: id, session_id: this.sessionId }));
    };
    ws.onmessage = (message) => this.receive(message.data);
    ws.onclose = (event) => this.dropped(event);
  }

  receive(data) {
    let frame;
    try { frame = JSON.parse(data); } catch { return; }
    if (frame.event) {
      const seq = Number(frame.event.seq || 0);
      if (seq > 0) {
        if (seq <= this.lastSeq) return; // already seen (a replay after resume)
        this.lastSeq = seq;
      }
      this.handlers.onEvent?.(frame.event);
    } else if (frame.ack) {
      const item = this.pending.get(frame.ack.client_msg_id);
      this.pending.delete(frame.ack.client_msg_id);
      item?.resolve(frame.ack);
    } else if (frame.nack) {
      const item = this.pending.get(frame.nack.client_msg_id);
      if (frame.nack.error?.code === 'UNAUTHENTICATED') {
        // Keep it pending: after a token refresh the reconnect sends it again.
        refresh().then(() => this.ws?.close(4401, 'refresh'));
        return;
      }
      this.pending.delete(frame.nack.client_msg_id);
      item?.reject(frame.nack.error);
    } else if (frame.error) {
      this.lastError = frame.error;
    }
  }

  async dropped(event) {
    if (this.closed) return;
    const code = event.code;
    if (code === 4403 || code === 4404 || code === 4400) {
      this.closed = true;
      this.handlers.onFatal?.(this.lastError || { code: 'PERMISSION_DENIED', message: t('You cannot join this session.') });
      return;
    }
    if (code === 4409) {
      this.closed = true;
      this.handlers.onMustRejoin?.();
      return;
    }
    this.handlers.onState?.('reconnecting');
    this.attempt += 1;
    // A refused handshake (e.g. an expired token) shows up as 1006 before opening.
    if (code === 4401 || (!this.opened && this.attempt > 1)) await refresh();
    const delay = Math.min(5000, 300 * 2 ** Math.min(this.attempt, 5)) * (0.75 + Math.random() / 2);
    setTimeout(() => this.connect(), delay);
  }

  send(body) {
    const id = crypto.randomUUID();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { body, resolve, reject });
      if (this.ws && this.ws.readyState === WebSocket.OPEN) {
        this.ws.send(JSON.stringify({ ...body, client_msg_id: id, session_id: this.sessionId }));
      }
    });
  }

  close() {
    this.closed = true;
    for (const item of this.pending.values()) item.reject({ code: 'CANCELLED', message: 'closed' });
    this.pending.clear();
    try { this.ws?.close(1000, 'bye'); } catch { /* already closed */ }
  }
}
