// Pre-call check, under a minute: camera, microphone, and a real connection to our echo peer
// that sends your video back (round trip, loss, and whether a relay was needed).
import { t } from '../i18n.js';
import { h, notice, failure, clear } from '../dom.js';
import * as api from '../api.js';
import { seconds } from '../time.js';

// Whether our TURN relay hands out a relay address from this network (sessions that hide the
// officer's address depend on it): a relay-only connection that only gathers candidates.
async function relayGathers(iceServers) {
  const pc = new RTCPeerConnection({ iceServers, iceTransportPolicy: 'relay' });
  try {
    pc.createDataChannel('relay-check');
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise((resolve) => {
      if (pc.iceGatheringState === 'complete') resolve();
      pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') resolve(); });
      setTimeout(resolve, 5000);
    });
    return / typ relay/.test(pc.localDescription.sdp);
  } finally {
    pc.close();
  }
}

function item(text) { return h('li', { class: 'pending', text }); }
function mark(li, ok, text) { li.className = ok ? 'pass' : 'fail'; li.textContent = text; }

export async function precall(main) {
  const video = h('video', { class: 'remote', autoplay: true, playsinline: true, muted: true, 'aria-label': t('Your camera') });
  video.muted = true;
  const echo = h('video', { class: 'local', autoplay: true, playsinline: true, muted: true, 'aria-label': t('Your video after a trip through the network') });
  echo.muted = true;
  const meter = h('div', { class: 'meter', role: 'meter', 'aria-label': t('Microphone level'), 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': 0 }, h('span'));
  const list = h('ul', { class: 'checks' });
  const start = h('button', { type: 'button', text: t('Start the check') });
  const result = h('div', { 'aria-live': 'polite' });
  main.append(h('p', { text: t('Check your camera, microphone and connection before a session. It takes under a minute and nobody else sees it.') }),
    h('div', { class: 'actions' }, start), h('div', { class: 'videos' }, video, echo), h('p', {}, t('Microphone: ')), meter, list, result);
  let cleanup = () => {};
  start.addEventListener('click', async () => {
    start.disabled = true;
    cleanup();
    clear(list); clear(result);
    const camera = item(t('Camera')); const mic = item(t('Microphone')); const net = item(t('Connection')); const quality = item(t('Quality'));
    list.append(camera, mic, net, quality);
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    } catch (error) {
      mark(camera, false, t('Camera and microphone: the browser did not allow them. Allow them (camera icon in the address bar) and try again.'));
      start.disabled = false;
      return;
    }
    video.srcObject = stream;
    const v = stream.getVideoTracks()[0]; const a = stream.getAudioTracks()[0];
    mark(camera, Boolean(v && v.readyState === 'live'), v ? t('Camera works ({0})', [v.label || t('camera')]) : t('No camera found'));
    // Microphone level, so people can see it hears them.
    let audioContext = null; let heard = 0;
    if (a) {
      audioContext = new AudioContext();
      const analyser = audioContext.createAnalyser();
      audioContext.createMediaStreamSource(stream).connect(analyser);
      const data = new Uint8Array(analyser.fftSize);
      const tick = () => {
        if (audioContext.state === 'closed') return;
        analyser.getByteTimeDomainData(data);
        let peak = 0; for (const x of data) peak = Math.max(peak, Math.abs(x - 128));
        const level = Math.min(100, Math.round((peak / 128) * 200));
        heard = Math.max(heard, level);
        meter.firstChild.style.width = `${level}%`;
        meter.setAttribute('aria-valuenow', String(level));
        requestAnimationFrame(tick);
      };
      tick();
    }
    let pc = null;
    cleanup = () => { try { pc?.close(); } catch { /* closed */ } for (const t of stream.getTracks()) t.stop(); audioContext?.close().catch(() => {}); };
    try {
      const ice = await api.call('signaling', 'GetIceServers', {});
      const iceServers = (ice.ice_servers || []).map((s) => ({ urls: s.urls, ...(s.username ? { username: s.username, credential: s.credential } : {}) }));
      if (iceServers.some((s) => [].concat(s.urls).some((u) => /^turns?:/.test(u)))) {
        const relay = item(t('Relay'));
        list.append(relay);
        relayGathers(iceServers).then((ok) => mark(relay, ok, ok
          ? t('Our relay is reachable: sessions that hide your address will connect')
          : t('Our relay cannot be reached from this network: sessions that hide your address may not connect')));
      }
      pc = new RTCPeerConnection({ iceServers, iceTransportPolicy: ice.relay_only ? 'relay' : 'all' });
      for (const t of stream.getTracks()) pc.addTrack(t, stream);
      const channel = pc.createDataChannel('tenfour');
      pc.ontrack = (e) => { if (e.track.kind === 'video') echo.srcObject = e.streams[0] || new MediaStream([e.track]); };
      const began = performance.now();
      await pc.setLocalDescription(await pc.createOffer());
      await new Promise((resolve) => { // the echo peer takes one complete offer
        if (pc.iceGatheringState === 'complete') resolve();
        pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') resolve(); });
        setTimeout(resolve, 3000);
      });
      const reply = await api.call('signaling', 'PreCallCheck', { offer_sdp: pc.localDescription.sdp });
      await pc.setRemoteDescription({ type: 'answer', sdp: reply.answer_sdp });
      await new Promise((resolve, reject) => {
        if (pc.connectionState === 'connected') resolve();
        pc.addEventListener('connectionstatechange', () => {
          if (pc.connectionState === 'connected') resolve();
          if (pc.connectionState === 'failed') reject(new Error(t('could not connect')));
        });
        setTimeout(() => reject(new Error(t('no connection within 15 seconds'))), 15000);
      });
      const setup = Math.round(performance.now() - began);
      // A few seconds of echo: round trip over the data channel, frames that came back, loss.
      const rtts = [];
      channel.onmessage = (e) => { if (String(e.data).startsWith('pong ')) rtts.push(performance.now() - Number(String(e.data).slice(5))); }; // i18n-ignore: the check's own protocol
      const pings = setInterval(() => { if (channel.readyState === 'open') channel.send(`ping ${performance.now()}`); }, 250); // i18n-ignore: the check's own protocol
      await new Promise((r) => setTimeout(r, Math.min(4000, seconds(reply.max_duration) * 1000 || 4000)));
      clearInterval(pings);
      const stats = await pc.getStats();
      let frames = 0; let lost = 0; let received = 0; let type = '';
      stats.forEach((s) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded || 0;
        if (s.type === 'inbound-rtp') { lost += s.packetsLost || 0; received += s.packetsReceived || 0; }
        if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') type = stats.get(s.localCandidateId)?.candidateType || type;
      });
      const rtt = rtts.length ? Math.round(rtts.sort((x, y) => x - y)[Math.floor(rtts.length / 2)]) : null;
      const lossPct = received + lost ? (100 * lost) / (received + lost) : 0;
      mark(mic, heard > 3, heard > 3 ? t('Microphone hears you') : t('We did not hear anything: check that the microphone is not muted.'));
      mark(net, true, t('Connected in {0} s', [(setup / 1000).toFixed(1)]) + (type === 'relay' ? t(' (through our relay: fine, a little slower)') : ''));
      const good = frames > 0 && (rtt === null || rtt < 400) && lossPct < 5;
      mark(quality, good, [frames > 0 ? t('Your video made the round trip') : t('No video came back'), rtt !== null ? t('{0} ms round trip', [rtt]) : null, t('{0}% lost', [lossPct.toFixed(1)])].filter(Boolean).join(', '));
      result.dataset.framesDecoded = String(frames);
      result.append(notice(good ? 'ok' : 'warn', good ? t('All good: you are ready for a session.') : t('You can still join, but the picture or sound may suffer. Try moving closer to your Wi-Fi or using a wired connection.')));
    } catch (error) {
      mark(mic, heard > 3, heard > 3 ? t('Microphone hears you') : t('Microphone: not checked'));
      mark(net, false, t('Connection: {0}', [error.message || t('failed')]));
      mark(quality, false, t('Quality: not measured'));
      result.append(error.code ? failure(error, t('Connection check')) : notice('error', t('We could not reach the check service. Sessions may not connect from this network.')));
    } finally {
      cleanup();
      start.disabled = false;
      start.textContent = t('Check again');
    }
  });
}
