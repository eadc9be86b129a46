// The caller's own camera and microphone in a call: getting them (saying plainly what is
// missing), the Mute and Camera buttons, and screen sharing in place of the camera.
import { t } from './i18n.js';
import { notice, setStatus, h } from './dom.js';
import { acquire } from './call_media.js';

export class LocalMedia {
  // `replaceVideo(track)` swaps the video sent to the others (the call decides how).
  constructor({ main, video, mute, camera, share, replaceVideo }) {
    Object.assign(this, { main, video, mute, camera, share, replaceVideo });
    this.stream = null;
    this.sharing = null;
    mute.addEventListener('click', () => this.setMuted(mute.getAttribute('aria-pressed') !== 'true'));
    camera.addEventListener('click', () => this.showCamera(camera.getAttribute('aria-pressed') === 'true'));
    share.addEventListener('click', async () => {
      if (this.sharing) { this.stopSharing(); return; }
      try {
        const screen = await navigator.mediaDevices.getDisplayMedia({ video: true });
        this.sharing = screen.getVideoTracks()[0];
        this.sharing.onended = () => this.stopSharing();
        await this.replaceVideo(this.sharing);
        share.textContent = t('Stop sharing');
      } catch { setStatus(t('Screen sharing was not started.'), 'warn'); }
    });
  }

  async start(cameraOn) {
    const got = await acquire({ cameraOn });
    this.stream = got.stream;
    this.video.srcObject = this.stream;
    if (got.missing.length === 2) {
      this.main.prepend(notice('warn', t('Your camera and microphone could not be used. You can still join and see and hear the others.'),
        h('p', { class: 'muted', text: t('Check that the browser may use them (the camera icon in the address bar).') })));
    } else if (got.missing.includes('camera')) {
      this.main.prepend(notice('', t('No camera found: you join with your voice only.')));
      this.camera.disabled = true; this.camera.textContent = t('No camera');
    } else if (got.missing.includes('microphone')) {
      this.main.prepend(notice('warn', t('Your microphone could not be used: the others will not hear you.')));
    }
    this.showCamera(cameraOn && !got.missing.includes('camera'));
  }

  tracks(kind) { return this.stream ? this.stream.getTracks().filter((track) => !kind || track.kind === kind) : []; }

  setMuted(on) {
    for (const track of this.tracks('audio')) track.enabled = !on;
    this.mute.setAttribute('aria-pressed', String(on));
    this.mute.textContent = on ? t('Unmute') : t('Mute');
  }

  showCamera(on) {
    for (const track of this.tracks('video')) track.enabled = on;
    if (!this.camera.disabled) {
      this.camera.setAttribute('aria-pressed', String(!on));
      this.camera.textContent = on ? t('Camera off') : t('Camera on');
    }
    this.video.classList.toggle('off', !on);
  }

  async stopSharing() {
    this.sharing?.stop(); this.sharing = null;
    this.share.textContent = t('Share screen');
    await this.replaceVideo(this.tracks('video')[0] || null);
  }

  stop() {
    this.sharing?.stop();
    for (const track of this.tracks()) track.stop();
  }
}
