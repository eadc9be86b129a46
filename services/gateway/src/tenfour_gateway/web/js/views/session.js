// The video call: waiting room, then a direct browser-to-browser call (media never passes
// through our servers). The provider's browser makes the offer to each admitted participant;
// the officer's browser answers. A drop shows "Reconnecting…" and resumes.
import { h, notice, failure, clear, setStatus } from '../dom.js';
import * as api from '../api.js';
import { SignalingSocket } from '../signaling.js';
import { duration } from '../time.js';

const PROVIDER_WORD = { therapist: 'therapist', peer_supporter: 'peer supporter' };

export async function session(main, [appointmentId], ctx) {
  if (!appointmentId) { main.append(notice('error', 'No session chosen.')); return; }
  const overlay = h('div', { class: 'overlay', 'aria-live': 'polite' });
  const remoteVideo = h('video', { class: 'remote', autoplay: true, playsinline: true, 'aria-label': 'The other person', dataset: { framesDecoded: '0' } });
  const localVideo = h('video', { class: 'local', autoplay: true, playsinline: true, muted: true, 'aria-label': 'You' });
  localVideo.muted = true;
  const state = h('p', { class: 'call-state', role: 'status', text: 'Starting…' });
  const mute = h('button', { type: 'button', class: 'secondary', 'aria-pressed': 'false', text: 'Mute' });
  const camera = h('button', { type: 'button', class: 'secondary', 'aria-pressed': 'false', text: 'Camera off' });
  const leave = h('button', { type: 'button', class: 'danger', text: 'Leave' });
  const endAll = h('button', { type: 'button', class: 'danger', text: 'End for everyone', hidden: true });
  const waitingList = h('ul', { class: 'list waiting-list' });
  const waitingBox = h('section', { class: 'card', hidden: true, 'aria-labelledby': 'waiting-h' }, h('h2', { id: 'waiting-h', text: 'Waiting room' }), waitingList);
  const ended = h('div');
  const callBox = h('div', { class: 'call' }, h('div', { class: 'videos' }, remoteVideo, localVideo, overlay), state,
    h('div', { class: 'controls' }, mute, camera, leave, endAll), waitingBox);
  main.append(callBox, ended);

  const say = (text) => { overlay.textContent = text; };
  const peers = new Map(); // participant handle -> Peer
  const waiting = new Map(); // handle -> list item (providers only)
  let joined = null; let socket = null; let me = ''; let myRole = ''; let provider = false;
  let iceServers = []; let relayOnly = false; let finished = false; let reported = false;
  let socketState = 'connecting'; let admitted = false;

  // -- media ------------------------------------------------------------------------------
  let local = null;
  try {
    local = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: { ideal: 1280 }, height: { ideal: 720 }, facingMode: 'user' } });
    localVideo.srcObject = local;
  } catch (error) {
    main.prepend(notice('warn', 'Your camera or microphone could not be used. You can still join and see and hear the other person.',
      h('p', { class: 'muted', text: 'Check that the browser may use them (the camera icon in the address bar).' })));
  }
  const tracks = (kind) => (local ? local.getTracks().filter((t) => t.kind === kind) : []);
  mute.addEventListener('click', () => {
    const on = mute.getAttribute('aria-pressed') !== 'true';
    for (const t of tracks('audio')) t.enabled = !on;
    mute.setAttribute('aria-pressed', String(on)); mute.textContent = on ? 'Unmute' : 'Mute';
  });
  camera.addEventListener('click', () => {
    const off = camera.getAttribute('aria-pressed') !== 'true';
    for (const t of tracks('video')) t.enabled = !off;
    camera.setAttribute('aria-pressed', String(off)); camera.textContent = off ? 'Camera on' : 'Camera off';
  });

  // -- peers ------------------------------------------------------------------------------
  const send = (body) => socket.send(body).catch((error) => {
    if (error?.code !== 'CANCELLED') setStatus(`A message to the other person did not go through: ${error?.message || ''}`, 'warn');
  });

  function newPeer(handle) {
    peers.get(handle)?.close();
    const pc = new RTCPeerConnection({ iceServers, iceTransportPolicy: relayOnly ? 'relay' : 'all' });
    const peer = { handle, pc, pending: [], startedAt: performance.now(), close: () => { try { pc.close(); } catch { /* closed */ } } };
    if (local) for (const t of local.getTracks()) pc.addTrack(t, local);
    else { pc.addTransceiver('audio', { direction: 'recvonly' }); pc.addTransceiver('video', { direction: 'recvonly' }); }
    pc.onicecandidate = (e) => {
      if (e.candidate && e.candidate.candidate) {
        send({ to_participant_id: handle, ice_candidate: { candidate: e.candidate.candidate, sdp_mid: e.candidate.sdpMid || '', sdp_mline_index: e.candidate.sdpMLineIndex ?? 0 } });
      } else if (!e.candidate) {
        send({ to_participant_id: handle, end_of_candidates: {} });
      }
    };
    pc.ontrack = (e) => {
      if (remoteVideo.srcObject !== e.streams[0]) remoteVideo.srcObject = e.streams[0] || new MediaStream([e.track]);
    };
    pc.onconnectionstatechange = () => {
      if (peers.get(handle) !== peer) return;
      const s = pc.connectionState;
      if (s === 'connected') { say(''); showState(); report(peer); }
      if (s === 'disconnected') showState('Reconnecting…');
      if (s === 'failed') {
        showState('Reconnecting…');
        if (provider) offer(handle); else send({ to_participant_id: handle, ice_restart: {} });
      }
    };
    peers.set(handle, peer);
    return peer;
  }

  async function flush(peer) {
    for (const c of peer.pending.splice(0)) await peer.pc.addIceCandidate(c).catch(() => {});
  }

  async function offer(handle) {
    const peer = newPeer(handle);
    say('Connecting…');
    const o = await peer.pc.createOffer();
    await peer.pc.setLocalDescription(o);
    await send({ to_participant_id: handle, offer: { sdp: peer.pc.localDescription.sdp } });
  }

  async function answer(handle, sdp) {
    const peer = newPeer(handle); // every offer starts a fresh connection: simple and robust
    say('Connecting…');
    await peer.pc.setRemoteDescription({ type: 'offer', sdp });
    await flush(peer);
    const a = await peer.pc.createAnswer();
    await peer.pc.setLocalDescription(a);
    await send({ to_participant_id: handle, answer: { sdp: peer.pc.localDescription.sdp } });
  }

  async function report(peer) {
    if (reported) return;
    reported = true;
    try {
      const stats = await peer.pc.getStats();
      let type = '';
      stats.forEach((s) => {
        if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') {
          const localCandidate = stats.get(s.localCandidateId);
          type = type || localCandidate?.candidateType || '';
        }
      });
      await api.call('signaling', 'ReportConnection', { session_id: joined.session_id, candidate_type: type || 'host', setup_time: duration((performance.now() - peer.startedAt) / 1000) });
    } catch { /* reporting is best effort */ }
  }

  function showState(text) {
    const anyConnected = [...peers.values()].some((p) => p.pc.connectionState === 'connected');
    const trouble = text || (socketState === 'reconnecting' ? 'Reconnecting…' : '');
    state.textContent = trouble || (anyConnected ? 'Connected' : provider ? 'In the session' : 'Waiting');
    state.dataset.state = trouble ? 'reconnecting' : anyConnected ? 'connected' : 'waiting';
  }

  // Decoded frames, from the browser's own statistics: shown to people as "receiving video".
  const statsTimer = setInterval(async () => {
    let frames = 0;
    for (const peer of peers.values()) {
      try {
        const stats = await peer.pc.getStats();
        stats.forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded || 0; });
      } catch { /* closed meanwhile */ }
    }
    remoteVideo.dataset.framesDecoded = String(frames);
  }, 1000);

  // -- waiting room (providers) -----------------------------------------------------------
  function addWaiting(handle, role) {
    if (!provider || waiting.has(handle)) return;
    const admit = h('button', { type: 'button', text: 'Let in' });
    const item = h('li', { dataset: { participant: handle } }, h('span', { text: `${role === 'officer' ? 'An officer' : 'Someone'} is waiting. ` }), admit);
    admit.addEventListener('click', async () => {
      admit.disabled = true;
      try {
        await api.call('signaling', 'Admit', { appointment_id: appointmentId, participant_id: handle });
      } catch (error) {
        admit.disabled = false;
        item.append(failure(error));
      }
    });
    waiting.set(handle, item);
    waitingList.append(item);
    waitingBox.hidden = false;
    say('');
  }
  function dropWaiting(handle) {
    waiting.get(handle)?.remove();
    waiting.delete(handle);
    if (!waiting.size) waitingList.append(h('li', { class: 'muted', text: 'Nobody is waiting.' }));
    else for (const el of waitingList.querySelectorAll('li.muted')) el.remove();
  }

  // -- events -----------------------------------------------------------------------------
  async function onEvent(event) {
    const from = event.from_participant_id;
    try {
      if (event.participant_joined) {
        const p = event.participant_joined;
        if (p.waiting) addWaiting(p.participant_id, p.role);
        else if (!provider && !admitted && p.role !== 'officer') say(`Your ${PROVIDER_WORD[p.role] || 'provider'} is here and will let you in shortly.`);
      } else if (event.participant_admitted) {
        const handle = event.participant_admitted.participant_id;
        if (handle === me) { admitted = true; say('You are in. Connecting…'); showState(); }
        else if (provider) { dropWaiting(handle); await offer(handle); }
      } else if (event.participant_left) {
        const handle = event.participant_left.participant_id;
        dropWaiting(handle);
        if (peers.has(handle)) { peers.get(handle).close(); peers.delete(handle); }
        if (!peers.size) {
          remoteVideo.srcObject = null;
          if (provider) say('The other person left.');
          else if (admitted) say('Your therapist left the call. Stay here; they may come back.');
          else say('Waiting for your therapist to let you in.');
        }
        showState();
      } else if (event.waiting) {
        say(event.waiting.message);
        showState();
      } else if (event.offer) {
        await answer(from, event.offer.sdp);
      } else if (event.answer) {
        const peer = peers.get(from);
        if (peer) { await peer.pc.setRemoteDescription({ type: 'answer', sdp: event.answer.sdp }); await flush(peer); }
      } else if (event.ice_candidate) {
        const c = event.ice_candidate;
        const candidate = { candidate: c.candidate, sdpMid: c.sdp_mid || null, sdpMLineIndex: c.sdp_mline_index ?? null };
        const peer = peers.get(from);
        if (!peer) return;
        if (peer.pc.remoteDescription) await peer.pc.addIceCandidate(candidate).catch(() => {});
        else peer.pending.push(candidate);
      } else if (event.ice_restart || event.renegotiate) {
        if (provider) await offer(from);
      } else if (event.bye) {
        peers.get(from)?.close(); peers.delete(from);
      } else if (event.session_ended) {
        finish('The session has ended.');
      } else if (event.must_rejoin) {
        await rejoin();
      }
    } catch (error) {
      setStatus(`Connection problem: ${error?.message || error}`, 'warn');
    }
  }

  // -- joining ----------------------------------------------------------------------------
  async function join() {
    joined = await api.call('signaling', 'Join', { appointment_id: appointmentId });
    me = joined.participant_id;
    iceServers = (joined.ice_servers || []).map((s) => ({ urls: s.urls, ...(s.username ? { username: s.username, credential: s.credential } : {}) }));
    relayOnly = Boolean(joined.relay_only);
    const mine = (joined.room?.participants || []).find((p) => p.participant_id === me);
    myRole = mine?.role || ctx.session.role;
    provider = myRole === 'therapist' || myRole === 'peer_supporter';
    admitted = !joined.waiting;
    callBox.dataset.role = provider ? 'provider' : 'officer';
    endAll.hidden = !provider;
    if (provider) {
      waitingBox.hidden = false;
      for (const p of joined.room?.participants || []) if (p.state === 'waiting') addWaiting(p.participant_id, p.role);
      if (!waiting.size) dropWaiting('');
    }
    say(joined.waiting ? 'Waiting for your therapist to let you in.' : provider ? 'Waiting for the other person.' : 'Connecting…');
    socket = new SignalingSocket(joined.session_id, joined.resume_from_seq, {
      onEvent,
      onState: (s) => { socketState = s; showState(); },
      onMustRejoin: () => rejoin(),
      onFatal: (error) => finish(error.message || 'You cannot join this session.'),
    });
    // A provider coming back to a call already in progress offers again to those admitted.
    if (provider) {
      for (const p of joined.room?.participants || []) {
        if (p.participant_id !== me && p.state === 'admitted' && p.role === 'officer') await offer(p.participant_id);
      }
    }
    showState();
  }

  async function rejoin() {
    socket?.close();
    for (const peer of peers.values()) peer.close();
    peers.clear();
    say('Reconnecting…');
    try { await join(); } catch (error) { finish(error.message); }
  }

  function finish(text) {
    if (finished) return;
    finished = true;
    clearInterval(statsTimer);
    socket?.close();
    for (const peer of peers.values()) peer.close();
    peers.clear();
    if (local) for (const t of local.getTracks()) t.stop();
    callBox.hidden = true;
    clear(ended).append(notice('', text, h('p', {}, h('a', { href: '#/', text: 'Back to the start' }))));
    document.title = 'Tenfour';
  }

  leave.addEventListener('click', async () => {
    leave.disabled = true;
    try { if (joined) await api.call('signaling', 'Leave', { session_id: joined.session_id }); } catch { /* leaving anyway */ }
    finish('You left the session.');
  });
  endAll.addEventListener('click', async () => {
    if (!window.confirm('End the session for everyone?')) return;
    try { await api.call('signaling', 'EndSession', { appointment_id: appointmentId }); finish('The session has ended.'); } catch (error) { setStatus(error.message, 'error'); }
  });
  ctx.cleanup = async () => {
    if (!finished && joined) { try { await api.call('signaling', 'Leave', { session_id: joined.session_id }); } catch { /* gone */ } }
    finish('');
  };

  try {
    await join();
  } catch (error) {
    clearInterval(statsTimer);
    if (local) for (const t of local.getTracks()) t.stop();
    callBox.hidden = true;
    ended.append(error.code === 'FAILED_PRECONDITION' || error.code === 'NOT_FOUND'
      ? notice('warn', error.message || 'This session is not open yet. It opens 10 minutes before the start.')
      : failure(error, 'Joining'));
  }
}
