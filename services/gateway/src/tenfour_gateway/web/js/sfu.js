// Group media through the SFU. The browser never talks to the media server itself: every
// offer and answer goes through signaling (PublishMedia / ListMedia / SubscribeMedia /
// AnswerMedia), which checks that this person was let in. One connection sends my camera and
// microphone (and the chat channel); one connection per other participant receives theirs.
import { t } from './i18n.js';
import * as api from './api.js';
import { gathered, inbound } from './call_media.js';

export class GroupMedia {
  constructor({ sessionId, iceServers, relayOnly, local, grid, onChat, onState }) {
    this.sessionId = sessionId;
    this.config = { iceServers, iceTransportPolicy: relayOnly ? 'relay' : 'all' };
    this.local = local;
    this.grid = grid;
    this.onChat = onChat;
    this.onState = onState || (() => {});
    this.publisher = null;
    this.channel = null;
    this.receivers = new Map(); // handle -> {pc, name}
    this.names = new Map();
    this.queue = Promise.resolve();
    this.closed = false;
    this.displayName = '';
  }

  // Runs media requests one at a time (events can arrive in bursts).
  serial(work) {
    const next = this.queue.then(() => (this.closed ? null : work()));
    this.queue = next.catch(() => {});
    return next;
  }

  publish(displayName) {
    this.displayName = displayName || this.displayName;
    return this.serial(async () => {
      this.publisher?.close();
      const pc = new RTCPeerConnection(this.config);
      this.publisher = pc;
      const tracks = this.local ? this.local.getTracks() : [];
      for (const t of tracks) pc.addTransceiver(t, { direction: 'sendonly', streams: [this.local] });
      if (!tracks.length) pc.addTransceiver('audio', { direction: 'sendonly' });
      this.channel = pc.createDataChannel('chat');
      pc.onconnectionstatechange = () => {
        if (this.publisher !== pc) return;
        this.onState();
        if (pc.connectionState === 'failed') this.publish();
      };
      await pc.setLocalDescription(await pc.createOffer());
      await gathered(pc);
      const reply = await api.call('signaling', 'PublishMedia', {
        session_id: this.sessionId, offer_sdp: pc.localDescription.sdp, display_name: this.displayName,
      });
      await pc.setRemoteDescription({ type: 'answer', sdp: reply.answer_sdp });
    });
  }

  // Receive every feed now published; drop the ones that went away.
  sync() {
    return this.serial(async () => {
      const reply = await api.call('signaling', 'ListMedia', { session_id: this.sessionId });
      const feeds = reply.feeds || [];
      const listed = new Set(feeds.map((f) => f.participant_id));
      for (const handle of [...this.receivers.keys()]) if (!listed.has(handle)) this.drop(handle);
      for (const feed of feeds) {
        this.names.set(feed.participant_id, feed.display_name);
        if (!this.receivers.has(feed.participant_id)) await this.receive(feed.participant_id, feed.display_name);
        else this.grid.tile(feed.participant_id, feed.display_name);
      }
    });
  }

  async receive(handle, name) {
    this.receivers.get(handle)?.pc.close();
    const pc = new RTCPeerConnection(this.config);
    this.receivers.set(handle, { pc, name });
    this.grid.tile(handle, name);
    pc.ontrack = (e) => this.grid.attach(handle, e.track, this.names.get(handle));
    pc.ondatachannel = (e) => {
      e.channel.onmessage = (m) => {
        try { const msg = JSON.parse(m.data); this.onChat(this.names.get(handle) || t('Participant'), String(msg.text || '').slice(0, 500)); } catch { /* not chat */ }
      };
    };
    pc.onconnectionstatechange = () => {
      if (this.receivers.get(handle)?.pc !== pc) return;
      this.onState();
      if (pc.connectionState === 'failed') this.serial(() => this.receive(handle, this.names.get(handle)));
    };
    const offer = await api.call('signaling', 'SubscribeMedia', { session_id: this.sessionId, participant_id: handle });
    await pc.setRemoteDescription({ type: 'offer', sdp: offer.offer_sdp });
    // The media server forwards chat only once a channel of ours is open on this connection.
    pc.createDataChannel('ready');
    await pc.setLocalDescription(await pc.createAnswer());
    await gathered(pc);
    await api.call('signaling', 'AnswerMedia', { session_id: this.sessionId, participant_id: handle, answer_sdp: pc.localDescription.sdp });
  }

  // The media server was replaced (failover): the receiving connections died with it.
  dropReceivers() {
    for (const r of this.receivers.values()) r.pc.close();
    this.receivers.clear();
  }

  drop(handle) {
    this.receivers.get(handle)?.pc.close();
    this.receivers.delete(handle);
    this.grid.remove(handle);
  }

  sendChat(text) {
    if (this.channel?.readyState === 'open') this.channel.send(JSON.stringify({ text }));
  }

  // Screen share: the camera's sender carries the screen until sharing stops.
  async replaceVideo(track) {
    const sender = this.publisher?.getSenders().find((s) => s.track?.kind === 'video');
    if (sender) await sender.replaceTrack(track);
  }

  connected() {
    return [...this.receivers.values()].some((r) => r.pc.connectionState === 'connected');
  }

  async stats() {
    for (const [handle, r] of this.receivers) this.grid.show(handle, await inbound(r.pc));
    this.grid.highlight();
  }

  connections() { return [this.publisher, ...[...this.receivers.values()].map((r) => r.pc)].filter(Boolean); }

  close() {
    this.closed = true;
    this.publisher?.close();
    for (const r of this.receivers.values()) r.pc.close();
    this.receivers.clear();
  }
}
