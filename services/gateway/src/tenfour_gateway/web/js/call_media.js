// Local media and the participant grid, shared by peer-to-peer pairs and SFU groups.
// Microphone and camera are asked for separately: a device without a camera (or a refused
// camera) still sends its microphone, and the other way round.
import { t } from './i18n.js';
import { h } from './dom.js';

export async function acquire({ cameraOn = true } = {}) {
  const stream = new MediaStream();
  const missing = [];
  try {
    const audio = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true } });
    for (const t of audio.getAudioTracks()) stream.addTrack(t);
  } catch { missing.push('microphone'); }
  try {
    const video = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 1280 }, height: { ideal: 720 }, facingMode: 'user' } });
    for (const t of video.getVideoTracks()) { t.enabled = cameraOn; stream.addTrack(t); }
  } catch { missing.push('camera'); }
  return { stream, missing };
}

// Non-trickle: the SFU takes one complete description, so wait for ICE gathering (bounded).
export function gathered(pc, ms = 4000) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() { clearTimeout(timer); pc.removeEventListener('icegatheringstatechange', check); resolve(); }
    function check() { if (pc.iceGatheringState === 'complete') done(); }
    pc.addEventListener('icegatheringstatechange', check);
  });
}

// Decoded frames, received audio bytes and audio level of one receiving connection.
export async function inbound(pc) {
  const out = { frames: 0, audioBytes: 0, level: 0 };
  try {
    const stats = await pc.getStats();
    stats.forEach((s) => {
      if (s.type !== 'inbound-rtp') return;
      if (s.kind === 'video') out.frames += s.framesDecoded || 0;
      if (s.kind === 'audio') { out.audioBytes += s.bytesReceived || 0; out.level = Math.max(out.level, s.audioLevel || 0); }
    });
  } catch { /* closed meanwhile */ }
  return out;
}

// Local candidate types a connection gathered or uses (relay-only sessions show only "relay").
export async function localCandidateTypes(pc) {
  const types = new Set();
  try {
    const stats = await pc.getStats();
    stats.forEach((s) => { if (s.type === 'local-candidate') types.add(s.candidateType); });
  } catch { /* closed */ }
  return [...types];
}

// One tile per other participant: their video (with sound), their name, and for providers the
// buttons to ask them to mute or to remove them.
export class Grid {
  constructor(container, { provider, onMute, onRemove }) {
    this.container = container;
    this.provider = provider;
    this.onMute = onMute;
    this.onRemove = onRemove;
    this.tiles = new Map(); // handle -> {el, video, caption, stream}
  }

  tile(handle, name) {
    let tile = this.tiles.get(handle);
    if (!tile) {
      const video = h('video', { class: 'remote', autoplay: true, playsinline: true, dataset: { framesDecoded: '0', audioBytes: '0' } });
      const caption = h('figcaption', { text: name || t('Participant') });
      const el = h('figure', { class: 'tile', dataset: { participant: handle } }, video, caption);
      if (this.provider) {
        const mute = h('button', { type: 'button', class: 'secondary small', text: t('Ask to mute') });
        const remove = h('button', { type: 'button', class: 'danger small', text: t('Remove') });
        mute.addEventListener('click', () => this.onMute(handle, tile.caption.textContent));
        remove.addEventListener('click', () => this.onRemove(handle, tile.caption.textContent));
        el.append(h('div', { class: 'tile-actions' }, mute, remove));
      }
      tile = { el, video, caption, stream: new MediaStream() };
      video.srcObject = tile.stream;
      this.tiles.set(handle, tile);
      this.container.append(el);
      this.container.dataset.count = String(this.tiles.size);
    }
    if (name) { tile.caption.textContent = name; tile.video.setAttribute('aria-label', name); }
    return tile;
  }

  attach(handle, track, name) {
    const tile = this.tile(handle, name);
    for (const old of tile.stream.getTracks()) if (old.kind === track.kind && old !== track) tile.stream.removeTrack(old);
    if (!tile.stream.getTracks().includes(track)) tile.stream.addTrack(track);
    tile.video.play?.().catch(() => {});
  }

  remove(handle) {
    this.tiles.get(handle)?.el.remove();
    this.tiles.delete(handle);
    this.container.dataset.count = String(this.tiles.size);
  }

  clear() { for (const handle of [...this.tiles.keys()]) this.remove(handle); }

  show(handle, { frames, audioBytes, level }) {
    const tile = this.tiles.get(handle);
    if (!tile) return;
    tile.video.dataset.framesDecoded = String(frames);
    tile.video.dataset.audioBytes = String(audioBytes);
    tile.level = level;
  }

  // Active speaker: the loudest tile above a floor is outlined.
  highlight() {
    let loudest = null;
    for (const [handle, tile] of this.tiles) if ((tile.level || 0) > 0.02 && (!loudest || tile.level > this.tiles.get(loudest).level)) loudest = handle;
    for (const [handle, tile] of this.tiles) tile.el.classList.toggle('speaking', handle === loudest);
  }
}

// In-session text chat over the WebRTC data channel: never sent to or stored by our servers.
export function chatBox(onSend) {
  const log = h('ol', { class: 'chat-log', 'aria-live': 'polite' });
  const input = h('input', { id: 'chat-text', type: 'text', maxlength: '500', autocomplete: 'off' });
  const form = h('form', { class: 'chat-form' },
    h('label', { for: 'chat-text', text: t('Message') }), input, h('button', { type: 'submit', text: t('Send') }));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    onSend(text);
    add(t('You'), text);
    input.value = '';
  });
  function add(who, text) { log.append(h('li', {}, h('strong', { text: `${who}: ` }), h('span', { text }))); }
  const box = h('section', { class: 'card chat', 'aria-labelledby': 'chat-h' },
    h('h2', { id: 'chat-h', text: t('Chat') }), h('p', { class: 'muted', text: t('Messages go straight to the others and are not saved.') }), log, form);
  return { box, add };
}
