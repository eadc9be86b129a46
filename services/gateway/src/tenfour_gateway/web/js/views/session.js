// The video call: waiting room, then the call. A pair talks browser to browser (the provider
// offers to each admitted participant); a group (more than two people) goes through the
// media server, via signaling only. Every other participant gets a tile in the grid. A drop
// shows "Reconnecting…" and resumes.
import { t } from '../i18n.js';
import { h, notice, failure, clear, setStatus, errorText } from '../dom.js';
import * as api from '../api.js';
import { SignalingSocket } from '../signaling.js';
import { duration } from '../time.js';
import { Grid, chatBox, inbound } from '../call_media.js';
import { LocalMedia } from '../call_local.js';
import { Mesh } from '../call_mesh.js';
import { offerWrapUp } from './wrap_up.js';
import { GroupMedia } from '../sfu.js';
import { WaitingRoom, waitingText, PROVIDER_WORD } from './waiting_room.js';

const ROLE_NAME = { therapist: t('Therapist'), peer_supporter: t('Peer supporter'), officer: t('Officer') };

export async function session(main, [appointmentId], ctx) {
  if (!appointmentId) { main.append(notice('error', t('No session chosen.'))); return; }
  const overlay = h('div', { class: 'overlay', 'aria-live': 'polite' });
  const grid = h('div', { class: 'grid', dataset: { count: '0' } });
  const localVideo = h('video', { class: 'local', autoplay: true, playsinline: true, muted: true, 'aria-label': t('You') });
  localVideo.muted = true;
  const state = h('p', { class: 'call-state', role: 'status', text: t('Starting…') });
  const mute = h('button', { type: 'button', class: 'secondary', 'aria-pressed': 'false', text: t('Mute') });
  const camera = h('button', { type: 'button', class: 'secondary', 'aria-pressed': 'false', text: t('Camera off') });
  const share = h('button', { type: 'button', class: 'secondary', text: t('Share screen'), hidden: true });
  const leave = h('button', { type: 'button', class: 'danger', text: t('Leave') });
  const endAll = h('button', { type: 'button', class: 'danger', text: t('End for everyone'), hidden: true });
  const nameField = h('input', { id: 'group-name', type: 'text', maxlength: '40', autocomplete: 'off' });
  const nameBox = h('div', { class: 'field group-name', hidden: true },
    h('label', { for: 'group-name', text: t('Your name in this group') }),
    nameField, h('p', { class: 'hint', text: t('Only the people in this session see it. Leave it empty to stay "Participant".') }));
  const say = (text) => { overlay.textContent = text; };
  const waiting = new WaitingRoom({ appointmentId, active: () => provider, say: (text) => { if (!group) say(text); } });
  const chat = chatBox((text) => sendChat(text));
  chat.box.hidden = true;
  const ended = h('div');
  const callBox = h('div', { class: 'call' }, nameBox, h('div', { class: 'videos' }, grid, localVideo, overlay), state,
    h('div', { class: 'controls' }, mute, camera, share, leave, endAll), waiting.box, chat.box);
  main.append(callBox, ended);

  let joined = null; let socket = null; let me = ''; let myRole = ''; let provider = false; let group = null;
  let iceServers = []; let relayOnly = false; let finished = false; let reported = false;
  let socketState = 'connecting'; let admitted = false; let sfu = false; let published = false;

  const tiles = new Grid(grid, {
    provider: false,
    onMute: async (handle, name) => {
      try { await api.call('signaling', 'MuteParticipant', { appointment_id: appointmentId, participant_id: handle }); setStatus(t('{0} was asked to mute.', [name])); } catch (error) { setStatus(errorText(error), 'error'); }
    },
    onRemove: async (handle, name) => {
      if (!window.confirm(t('Remove {0} from this session? They cannot come back.', [name]))) return;
      try { await api.call('signaling', 'Remove', { appointment_id: appointmentId, participant_id: handle }); } catch (error) { setStatus(errorText(error), 'error'); }
    },
  });

  // -- local media (call_local.js); the video sent is swapped per peer or in the group ------
  const media = new LocalMedia({ main, video: localVideo, mute, camera, share, replaceVideo });
  async function replaceVideo(track) {
    if (group) await group.replaceVideo(track); else await mesh.replaceVideo(track);
  }

  // -- chat (data channels only; nothing reaches our servers) ------------------------------
  function sendChat(text) {
    if (group) group.sendChat(text); else mesh.sendChat(text);
  }

  // -- mesh (pairs, call_mesh.js) ----------------------------------------------------------
  const send = (body) => socket.send(body).catch((error) => {
    if (error?.code !== 'CANCELLED') setStatus(t('A message to the other person did not go through: {0}', [error?.message || '']), 'warn');
  });
  const nameOf = (handle) => {
    const p = (joined?.room?.participants || []).find((x) => x.participant_id === handle);
    return ROLE_NAME[p?.role] || (provider ? t('Officer') : t('Your provider'));
  };
  const mesh = new Mesh({
    config: () => ({ iceServers, relayOnly }), media, tiles, send, say, showState: (text) => showState(text),
    connected: (pc, startedAt) => report(pc, startedAt), offers: () => provider, nameOf, chat: (who, text) => chat.add(who, text),
  });
  const offer = (handle) => mesh.offer(handle);
  const dropPeer = (handle) => mesh.drop(handle);

  // -- group (SFU) ------------------------------------------------------------------------
  async function enterGroup() {
    if (!group || published) return;
    published = true;
    say(t('Connecting…'));
    const started = performance.now();
    try {
      await group.publish(nameField.value.trim());
      nameBox.hidden = true;
      await group.sync();
      say(group.receivers.size ? '' : provider ? t('Waiting for the others.') : t('You are in. The others will appear here.'));
      if (group.publisher) group.publisher.addEventListener('connectionstatechange', () => {
        if (group?.publisher?.connectionState === 'connected') report(group.publisher, started);
      });
    } catch (error) {
      published = false;
      setStatus(t('Could not connect to the group: {0}', [error?.message || error]), 'warn');
    }
  }

  async function report(pc, startedAt) {
    if (reported) return;
    reported = true;
    try {
      const stats = await pc.getStats();
      let type = '';
      stats.forEach((s) => {
        if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') {
          type = type || stats.get(s.localCandidateId)?.candidateType || '';
        }
      });
      await api.call('signaling', 'ReportConnection', { session_id: joined.session_id, candidate_type: type || 'host', setup_time: duration(Math.max(0.001, (performance.now() - startedAt) / 1000)) });
    } catch { /* reporting is best effort */ }
  }

  function showState(text) {
    const anyConnected = group ? group.connected() : mesh.anyConnected();
    const trouble = text || (socketState === 'reconnecting' ? t('Reconnecting…') : '');
    state.textContent = trouble || (anyConnected ? t('Connected') : provider ? t('In the session') : t('Waiting'));
    state.dataset.state = trouble ? 'reconnecting' : anyConnected ? 'connected' : 'waiting';
  }

  // Decoded frames and received sound per tile, from the browser's own statistics.
  const statsTimer = setInterval(async () => {
    if (group) { await group.stats(); showState(); return; }
    for (const peer of mesh.peers.values()) tiles.show(peer.handle, await inbound(peer.pc));
    tiles.highlight();
  }, 1000);

  // -- events -----------------------------------------------------------------------------
  async function onEvent(event) {
    const from = event.from_participant_id;
    try {
      if (event.participant_joined) {
        const p = event.participant_joined;
        if (p.waiting) waiting.add(p.participant_id, p.role);
        else if (!provider && !admitted && p.role !== 'officer') say(t('Your {0} is here and will let you in shortly.', [PROVIDER_WORD[p.role] || t('provider')]));
      } else if (event.participant_admitted) {
        const handle = event.participant_admitted.participant_id;
        if (handle === me) { admitted = true; say(t('You are in. Connecting…')); showState(); await enterGroup(); }
        else { waiting.drop(handle); if (provider && !group) await offer(handle); }
      } else if (event.participant_left) {
        const handle = event.participant_left.participant_id;
        waiting.drop(handle);
        if (handle === me && event.participant_left.reason_code === 'removed') { finish(t('The provider removed you from this session.')); return; }
        if (group) group.drop(handle); else dropPeer(handle);
        const someone = group ? group.receivers.size : mesh.size;
        if (!someone) {
          if (provider) say(group ? t('Waiting for the others.') : t('The other person left.'));
          else if (admitted) say(t('Your {0} left the call. Stay here; they may come back.', [PROVIDER_WORD[myProviderRole()] || t('provider')]));
          else say(t('Waiting for your therapist to let you in.'));
        }
        showState();
      } else if (event.waiting) {
        say(waitingText(event.waiting));
        showState();
      } else if (event.mute_requested) {
        media.setMuted(true);
        setStatus(t('The provider muted your microphone. Unmute when you want to speak.'), 'warn');
      } else if (group && !from && event.renegotiate) {
        await group.sync(); say(''); showState();
      } else if (group && !from && event.ice_restart) {
        // The group moved to another media server: publish and receive again.
        group.dropReceivers(); published = false; await enterGroup();
      } else if (event.offer) {
        await mesh.answer(from, event.offer.sdp);
      } else if (event.answer) {
        await mesh.answered(from, event.answer.sdp);
      } else if (event.ice_candidate) {
        await mesh.candidate(from, event.ice_candidate);
      } else if (event.ice_restart || event.renegotiate) {
        if (provider) await offer(from);
      } else if (event.bye) {
        dropPeer(from);
      } else if (event.session_ended) {
        finish(t('The session has ended.'));
      } else if (event.must_rejoin) {
        await rejoin();
      }
    } catch (error) {
      setStatus(t('Connection problem: {0}', [error?.message || error]), 'warn');
    }
  }
  function myProviderRole() {
    return (joined?.room?.participants || []).find((p) => p.role !== 'officer')?.role || 'therapist';
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
    sfu = joined.media === 'sfu';
    const isGroup = sfu || (joined.room?.participants || []).length > 2;
    admitted = !joined.waiting;
    callBox.dataset.role = provider ? 'provider' : 'officer';
    callBox.dataset.media = sfu ? 'sfu' : 'mesh';
    endAll.hidden = !provider;
    share.hidden = !provider;
    chat.box.hidden = false;
    tiles.provider = provider && isGroup;
    if (!media.stream) await media.start(!(isGroup && !provider)); // officers join groups with the camera off
    if (sfu) {
      nameBox.hidden = published;
      if (!nameField.value && provider) nameField.value = ctx.session.display_name || '';
      group?.close();
      group = new GroupMedia({ sessionId: joined.session_id, iceServers, relayOnly, local: media.stream, grid: tiles, onChat: (who, text) => chat.add(who, text), onState: () => showState() });
      published = false;
    }
    if (provider) {
      if (!waiting.officerName && !isGroup) await waiting.learnOfficerName();
      waiting.box.hidden = false;
      for (const p of joined.room?.participants || []) if (p.state === 'waiting') waiting.add(p.participant_id, p.role);
      if (!waiting.size) waiting.drop('');
    }
    const providerLine = waiting.size ? waiting.line() : group ? t('Waiting for the others.') : t('Nobody is in the waiting room yet.');
    say(joined.waiting ? t('Waiting for your therapist to let you in.') : provider ? providerLine : t('Connecting…'));
    socket = new SignalingSocket(joined.session_id, joined.resume_from_seq, {
      onEvent,
      onState: (s) => { socketState = s; showState(); },
      onMustRejoin: () => rejoin(),
      onFatal: (error) => finish(errorText(error) || t('You cannot join this session.')),
    });
    if (sfu) {
      if (admitted) await enterGroup();
    } else if (provider) {
      // A provider coming back to a call already in progress offers again to those admitted.
      for (const p of joined.room?.participants || []) {
        if (p.participant_id !== me && p.state === 'admitted' && p.role === 'officer') await offer(p.participant_id);
      }
    }
    showState();
  }

  async function rejoin() {
    socket?.close();
    for (const handle of [...mesh.peers.keys()]) dropPeer(handle);
    group?.close(); group = null; tiles.clear();
    say(t('Reconnecting…'));
    try { await join(); } catch (error) { finish(errorText(error) || t('You cannot join this session.')); }
  }

  function finish(text) {
    if (finished) return;
    finished = true;
    clearInterval(statsTimer);
    socket?.close();
    mesh.close();
    group?.close();
    media.stop();
    callBox.hidden = true;
    // An officer with an open urgent request goes back to it, never to start over.
    let urgentOpen = null;
    try { urgentOpen = sessionStorage.getItem('tenfour.urgent'); } catch { urgentOpen = null; }
    const back = urgentOpen ? h('a', { href: '#/now', text: t('Back to your request for help') }) : h('a', { href: '#/', text: t('Back to the start') });
    clear(ended).append(notice('', text, h('p', {}, back)));
    if (provider) offerWrapUp(ended, appointmentId);
    document.title = t('Tenfour');
  }

  leave.addEventListener('click', async () => {
    leave.disabled = true;
    try { if (joined) await api.call('signaling', 'Leave', { session_id: joined.session_id }); } catch { /* leaving anyway */ }
    finish(t('You left the session.'));
  });
  endAll.addEventListener('click', async () => {
    if (!window.confirm(t('End the session for everyone?'))) return;
    try { await api.call('signaling', 'EndSession', { appointment_id: appointmentId }); finish(t('The session has ended.')); } catch (error) { setStatus(errorText(error), 'error'); }
  });
  ctx.cleanup = async () => {
    if (!finished && joined) { try { await api.call('signaling', 'Leave', { session_id: joined.session_id }); } catch { /* gone */ } }
    finish('');
  };

  // A room booked a moment ago (an urgent request just accepted) exists once signaling has the
  // booking: wait for it briefly instead of showing an error.
  async function joinSoon() {
    for (let attempt = 0; ; attempt++) {
      try { return await join(); } catch (error) {
        if (error.code !== 'NOT_FOUND' || attempt >= 30) throw error;
        say(t('Opening the room…'));
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  try {
    await joinSoon();
  } catch (error) {
    clearInterval(statsTimer);
    media.stop();
    callBox.hidden = true;
    ended.append(error.code === 'FAILED_PRECONDITION' || error.code === 'NOT_FOUND'
      ? notice('warn', errorText(error) || t('This session is not open yet. It opens 10 minutes before the start.'))
      : failure(error, t('Joining')));
  }
}
