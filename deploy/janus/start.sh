#!/bin/sh
# Janus from the environment: the HTTP API (with JANUS_API_SECRET) and admin API (own secret) on
# 8088/7088, the VideoRoom plugin only (rooms need JANUS_ROOM_ADMIN_KEY), RTP on a fixed range
# that the host publishes, JANUS_PUBLIC_IP in host candidates. Secrets go into files on a
# memory volume, never onto the command line.
set -eu
: "${JANUS_API_SECRET:?}" "${JANUS_ADMIN_SECRET:?}" "${JANUS_ROOM_ADMIN_KEY:?}"
lib=/usr/lib/x86_64-linux-gnu/janus
[ -d "$lib" ] || lib=/usr/lib/aarch64-linux-gnu/janus
conf=${JANUS_CONF_DIR:-/tmp/janus}
mkdir -p "$conf"
nat=""
[ -n "${JANUS_PUBLIC_IP:-}" ] && nat="nat_1_1_mapping = \"$JANUS_PUBLIC_IP\""
cat > "$conf/janus.jcfg" <<CFG
general: {
  configs_folder = "$conf"
  plugins_folder = "$lib/plugins"
  transports_folder = "$lib/transports"
  events_folder = "$lib/events"
  loggers_folder = "$lib/loggers"
  debug_level = 3
  api_secret = "$JANUS_API_SECRET"
  admin_secret = "$JANUS_ADMIN_SECRET"
  session_timeout = 0
}
media: { rtp_port_range = "${JANUS_RTP_PORTS:-20000-20099}" }
nat: { ignore_mdns = true $nat }
plugins: { disable = "libjanus_audiobridge.so,libjanus_duktape.so,libjanus_echotest.so,libjanus_lua.so,libjanus_nosip.so,libjanus_recordplay.so,libjanus_sip.so,libjanus_streaming.so,libjanus_textroom.so,libjanus_videocall.so,libjanus_voicemail.so" }
transports: { disable = "libjanus_mqtt.so,libjanus_nanomsg.so,libjanus_pfunix.so,libjanus_rabbitmq.so,libjanus_websockets.so" }
events: { broadcast = false }
loggers: { disable = "libjanus_jsonlog.so" }
CFG
cat > "$conf/janus.transport.http.jcfg" <<CFG
general: { json = "compact" base_path = "/janus" http = true port = 8088 https = false }
admin: { admin_base_path = "/admin" admin_http = true admin_port = 7088 admin_https = false }
CFG
cat > "$conf/janus.plugin.videoroom.jcfg" <<CFG
general: { admin_key = "$JANUS_ROOM_ADMIN_KEY" string_ids = true lock_rtp_forward = true }
CFG
exec janus --configs-folder="$conf" --config="$conf/janus.jcfg" --disable-colors
