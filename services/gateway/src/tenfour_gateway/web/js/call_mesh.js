// A pair's call, browser to browser: one RTCPeerConnection per other participant (the provider
// offers to each admitted one), a data channel for chat, candidates held until the remote
// description is set, and a fresh connection on every offer (simple and robust).
import { t } from './i18n.js';

export class Mesh {
  // hooks: config() -> { iceServers, relayOnly }, media (LocalMedia), tiles (Grid), send(body),
  // say(text), showState(text?), connected(pc, startedAt), offers() (whether we offer again
  // after a failure), nameOf(handle), chat(who, text).
  constructor(hooks) {
    this.hooks = hooks;
    this.peers = new Map(); // participant handle -> peer
  }

  get size() { return this.peers.size; }

  anyConnected() { return [...this.peers.values()].some((p) => p.pc.connectionState === 'connected'); }

  listen(channel, handle) {
    channel.onmessage = (m) => {
      try { this.hooks.chat(this.hooks.nameOf(handle), String(JSON.parse(m.data).text || '').slice(0, 500)); } catch { /* not chat */ }
    };
  }

  sendChat(text) {
    for (const peer of this.peers.values()) if (peer.channel?.readyState === 'open') peer.channel.send(JSON.stringify({ text }));
  }

  async replaceVideo(track) {
    for (const peer of this.peers.values()) {
      const sender = peer.pc.getSenders().find((s) => s.track?.kind === 'video');
      if (sender) await sender.replaceTrack(track);
    }
  }

  newPeer(handle, offerer) {
    const { media, tiles, send, say, showState } = this.hooks;
    const { iceServers, relayOnly } = this.hooks.config();
    this.peers.get(handle)?.close();
    const pc = new RTCPeerConnection({ iceServers, iceTransportPolicy: relayOnly ? 'relay' : 'all' });
    const peer = { handle, pc, pending: [], startedAt: performance.now(), close: () => { try { pc.close(); } catch { /* closed */ } } };
    if (media.tracks().length) for (const track of media.tracks()) pc.addTrack(track, media.stream);
    else { pc.addTransceiver('audio', { direction: 'recvonly' }); pc.addTransceiver('video', { direction: 'recvonly' }); }
    if (offerer) { peer.channel = pc.createDataChannel('chat'); this.listen(peer.channel, handle); }
    pc.ondatachannel = (e) => { peer.channel = e.channel; this.listen(e.channel, handle); };
    pc.onicecandidate = (e) => {
      if (e.candidate && e.candidate.candidate) {
        send({ to_participant_id: handle, ice_candidate: { candidate: e.candidate.candidate, sdp_mid: e.candidate.sdpMid || '', sdp_mline_index: e.candidate.sdpMLineIndex ?? 0 } });
      } else if (!e.candidate) {
        send({ to_participant_id: handle, end_of_candidates: {} });
      }
    };
    pc.ontrack = (e) => tiles.attach(handle, e.track, this.hooks.nameOf(handle));
    pc.onconnectionstatechange = () => {
      if (this.peers.get(handle) !== peer) return;
      const s = pc.connectionState;
      if (s === 'connected') { say(''); showState(); this.hooks.connected(pc, peer.startedAt); }
      if (s === 'disconnected') showState(t('Reconnecting…'));
      if (s === 'failed') {
        showState(t('Reconnecting…'));
        if (this.hooks.offers()) this.offer(handle); else send({ to_participant_id: handle, ice_restart: {} });
      }
    };
    this.peers.set(handle, peer);
    return peer;
  }

  async flush(peer) {
    for (const c of peer.pending.splice(0)) await peer.pc.addIceCandidate(c).catch(() => {});
  }

  async offer(handle) {
    const peer = this.newPeer(handle, true);
    this.hooks.say(t('Connecting…'));
    await peer.pc.setLocalDescription(await peer.pc.createOffer());
    await this.hooks.send({ to_participant_id: handle, offer: { sdp: peer.pc.localDescription.sdp } });
  }

  async answer(handle, sdp) {
    const peer = this.newPeer(handle, false);
    this.hooks.say(t('Connecting…'));
    await peer.pc.setRemoteDescription({ type: 'offer', sdp });
    await this.flush(peer);
    await peer.pc.setLocalDescription(await peer.pc.createAnswer());
    await this.hooks.send({ to_participant_id: handle, answer: { sdp: peer.pc.localDescription.sdp } });
  }

  async answered(handle, sdp) {
    const peer = this.peers.get(handle);
    if (peer) { await peer.pc.setRemoteDescription({ type: 'answer', sdp }); await this.flush(peer); }
  }

  async candidate(handle, c) {
    const candidate = { candidate: c.candidate, sdpMid: c.sdp_mid || null, sdpMLineIndex: c.sdp_mline_index ?? null };
    const peer = this.peers.get(handle);
    if (!peer) return;
    if (peer.pc.remoteDescription) await peer.pc.addIceCandidate(candidate).catch(() => {});
    else peer.pending.push(candidate);
  }

  drop(handle) {
    this.peers.get(handle)?.close(); this.peers.delete(handle);
    this.hooks.tiles.remove(handle);
  }

  close() {
    for (const peer of this.peers.values()) peer.close();
    this.peers.clear();
  }
}
