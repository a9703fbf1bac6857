#!/bin/sh
# Entry point of the frontend image: nginx on 127.0.0.1:$PORT (default 8081), in the foreground.
# Each copy of the frontend on one host (contract/services.ts, copyPorts) gets its own PORT: the
# shipped nginx.conf listens on 8081, and any other port is served from a copy of it with that one
# `listen` line changed, written to /tmp (the only writable place). exec: nginx is PID 1 and gets
# the runtime's SIGQUIT (graceful stop: in-flight requests finish) itself.
# FRONTEND_PREFIX, NGINX_BIN and FRONTEND_RUN_DIR are the image's paths; tests point them elsewhere.
set -eu
prefix="${FRONTEND_PREFIX:-/srv/frontend}"
run_dir="${FRONTEND_RUN_DIR:-/tmp}"
conf="$prefix/nginx.conf"
port="${PORT:-8081}"
case "$port" in
'' | *[!0-9]* | 0*) echo "frontend: PORT must be a port number from 1 to 65535, got '$port'" >&2 && exit 2 ;;
esac
if [ "$port" -gt 65535 ]; then
	echo "frontend: PORT must be a port number from 1 to 65535, got '$port'" >&2
	exit 2
fi
if [ "$port" != 8081 ]; then
	sed "s/^\([[:space:]]*\)listen 127\.0\.0\.1:8081 /\1listen 127.0.0.1:$port /" "$conf" >"$run_dir/nginx.conf"
	grep -q "listen 127.0.0.1:$port " "$run_dir/nginx.conf" || {
		echo "frontend: nginx.conf has no 'listen 127.0.0.1:8081' line to move to $port" >&2
		exit 2
	}
	conf="$run_dir/nginx.conf"
fi
exec "${NGINX_BIN:-/usr/sbin/nginx}" -p "$prefix/" -c "$conf" -e stderr -g 'daemon off;'
