#!/bin/sh
# Entry point of the proxy image: renders the nginx config, keeps a certificate for DOMAIN and
# supervises nginx.
#
#   entrypoint.sh [run]          start nginx, obtain/renew the certificate, stop gracefully (PID 1)
#   entrypoint.sh render         render the nginx config for the current certificate state, print it
#   entrypoint.sh renew [--force] renew now (forced: whatever the expiry), reload the running nginx
#
# Signals to the running entry point: TERM/INT/QUIT graceful stop (nginx finishes in-flight
# requests), HUP re-render and reload, USR1 forced renewal now.
#
# Settings (environment, defaults below) are described in docker/README.md, section "proxy".
#
# Let's Encrypt allows 5 duplicate certificates a week: a certificate for DOMAIN that is still
# valid for more than RENEW_DAYS on the volume is always reused, never re-ordered, so a restart
# loop or a replaced instance costs no ACME order.
set -u

: "${DOMAIN:=}"
: "${ACME_EMAIL:=}"
: "${ACME_DIRECTORY:=https://acme-staging-v02.api.letsencrypt.org/directory}"
: "${ACME_PATH:=/etc/acme}"
: "${API_UPSTREAM:=127.0.0.1:8080}"
: "${FRONTEND_UPSTREAM:=127.0.0.1:8081}"
: "${LISTEN_ADDRESS:=0.0.0.0}"
: "${HTTP_PORT:=80}"
: "${HTTPS_PORT:=443}"
: "${PROXY_RUN_DIR:=/run/proxy}"
: "${PROXY_TEMPLATE_DIR:=/etc/proxy/templates}"
: "${NGINX_BIN:=nginx}"
: "${LEGO_BIN:=lego}"
: "${RENEW_INTERVAL_SECONDS:=43200}"
: "${RENEW_DAYS:=30}"
# Let's Encrypt allows 5 failed validations per hostname per hour: retry a failed order at most
# 4 times an hour, and back off from there (doubling per failure in a row, up to the cap).
: "${ACME_RETRY_SECONDS:=900}"
: "${ACME_RETRY_MAX_SECONDS:=14400}"
# nginx gets this long to finish in-flight requests before a fast shutdown; below the task's
# 15 s stopTimeout so the container never reaches SIGKILL.
: "${STOP_GRACE_SECONDS:=10}"
# Several proxies share the certificate volume (one per instance): one ACME run at a time under a
# lock on the volume. A lock older than this is broken (lego gets half of it), and a round that
# finds the lock held waits at most ACME_LOCK_WAIT_SECONDS, then skips (docker/README.md).
: "${ACME_LOCK_STALE_SECONDS:=600}"
: "${ACME_LOCK_WAIT_SECONDS:=300}"
# How often a proxy compares the certificate on the volume with the one it serves (another proxy
# may have renewed it), reloading when they differ; 0: never.
: "${CERT_CHECK_SECONDS:=60}"

CONF_DIR="$PROXY_RUN_DIR/conf"
BOOTSTRAP_DIR="$PROXY_RUN_DIR/bootstrap"
PID_FILE="$PROXY_RUN_DIR/nginx.pid"
LOADED_SERIAL_FILE="$PROXY_RUN_DIR/loaded-serial"
# On the certificate volume, shared by the fleet. Named with a leading '_', which no lego data
# directory (named after the ACME directory's host) has.
WEBROOT="$ACME_PATH/_webroot"
LOCK_DIR="$ACME_PATH/_lock"

log() {
	printf '%s proxy: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2
}

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

die() {
	log "error: $*"
	exit 1
}

# The rest of the script lives beside it (a symlink to it is resolved): nginx-config.sh renders
# and runs nginx, acme.sh keeps the certificate.
PROXY_HOME=$(dirname "$(readlink -f "$0")")
# shellcheck source=SCRIPTDIR/nginx-config.sh
. "$PROXY_HOME/nginx-config.sh"
# shellcheck source=SCRIPTDIR/acme.sh
. "$PROXY_HOME/acme.sh"

# Values end up in nginx config and on command lines: accept only the characters they need.
validate_env() {
	case "$DOMAIN" in
	*[!A-Za-z0-9.-]*) die "DOMAIN '$DOMAIN' is not a host name (letters, digits, '.', '-')" ;;
	esac
	# Each is one host:port per copy of the service, separated by spaces (at most 8).
	for pair in "API_UPSTREAM=$API_UPSTREAM" "FRONTEND_UPSTREAM=$FRONTEND_UPSTREAM"; do
		n=0
		# shellcheck disable=SC2086 # split on spaces; the words are checked one by one
		for address in ${pair#*=}; do
			n=$((n + 1))
			case "$address" in
			*[!A-Za-z0-9.:-]* | :* | *[!0-9] | *:*:*) die "${pair%%=*} '${pair#*=}' must be host:port, one per copy, separated by spaces" ;;
			*:*) ;;
			*) die "${pair%%=*} '${pair#*=}' must be host:port, one per copy, separated by spaces" ;;
			esac
		done
		[ "$n" -ge 1 ] && [ "$n" -le 8 ] || die "${pair%%=*} '${pair#*=}' must name 1 to 8 host:port, one per copy"
	done
	case "$LISTEN_ADDRESS" in
	'' | *[!0-9.]*) die "LISTEN_ADDRESS '$LISTEN_ADDRESS' must be an IPv4 address" ;;
	esac
	for pair in "HTTP_PORT=$HTTP_PORT" "HTTPS_PORT=$HTTPS_PORT" "RENEW_DAYS=$RENEW_DAYS" \
		"RENEW_INTERVAL_SECONDS=$RENEW_INTERVAL_SECONDS" "ACME_RETRY_SECONDS=$ACME_RETRY_SECONDS" \
		"ACME_RETRY_MAX_SECONDS=$ACME_RETRY_MAX_SECONDS" \
		"STOP_GRACE_SECONDS=$STOP_GRACE_SECONDS" "ACME_LOCK_WAIT_SECONDS=$ACME_LOCK_WAIT_SECONDS" \
		"CERT_CHECK_SECONDS=$CERT_CHECK_SECONDS" "ACME_LOCK_STALE_SECONDS=$ACME_LOCK_STALE_SECONDS"; do
		case "${pair#*=}" in
		'' | *[!0-9]*) die "${pair%%=*} '${pair#*=}' must be a non-negative integer" ;;
		esac
	done
	[ "$ACME_LOCK_STALE_SECONDS" -ge 10 ] || die "ACME_LOCK_STALE_SECONDS '$ACME_LOCK_STALE_SECONDS' must be at least 10 (lego gets half of it)"
	if [ -n "$DOMAIN" ] && [ -z "$ACME_EMAIL" ]; then
		die "ACME_EMAIL is required when DOMAIN is set (ACME account contact)"
	fi
}

NGINX_PID="" RENEW_PID="" STOPPING=""

on_stop() {
	# A no-op, not '': an ignored signal stays ignored in every child (the grace timer's sleep).
	trap : TERM INT QUIT
	STOPPING=1
	started=$(now_ms)
	log "stop requested: graceful nginx shutdown (at most ${STOP_GRACE_SECONDS}s)"
	[ -n "$RENEW_PID" ] && kill -TERM "$RENEW_PID" 2>/dev/null
	if [ -n "$NGINX_PID" ] && kill -QUIT "$NGINX_PID" 2>/dev/null; then
		# Past the grace period, fast shutdown. Detached from our stdout so it never holds the log.
		(
			trap 'kill "$s" 2>/dev/null; exit 0' TERM
			sleep "$STOP_GRACE_SECONDS" &
			s=$!
			wait "$s"
			kill -TERM "$NGINX_PID" 2>/dev/null
		) >/dev/null 2>&1 &
		timer=$!
		while kill -0 "$NGINX_PID" 2>/dev/null; do wait "$NGINX_PID"; done
		kill "$timer" 2>/dev/null || true
	fi
	[ -n "$RENEW_PID" ] && wait "$RENEW_PID" 2>/dev/null
	log "stopped in $(($(now_ms) - started)) ms"
	exit 0
}

on_hup() {
	reload || true
}

on_usr1() {
	if [ -n "$RENEW_PID" ]; then
		kill -USR1 "$RENEW_PID" 2>/dev/null || true
	else
		log "USR1 ignored: no DOMAIN, no certificate to renew"
	fi
}

run() {
	validate_env
	trap on_stop TERM INT QUIT
	trap on_hup HUP
	trap on_usr1 USR1
	mkdir -p "$PROXY_RUN_DIR" || die "cannot create PROXY_RUN_DIR $PROXY_RUN_DIR"
	# Not the ACME lock: it is the fleet's, on the volume (a stale one is broken by its rule).
	rm -f "$PID_FILE" "$LOADED_SERIAL_FILE"

	delay=0
	if [ -z "$DOMAIN" ]; then
		log "no DOMAIN: serving plain HTTP (local rehearsal mode)"
	elif real_cert_valid_for $((RENEW_DAYS * 86400)); then
		log "reusing the certificate on the volume for $DOMAIN, no ACME order: $(cert_summary)"
		delay=$RENEW_INTERVAL_SECONDS
	elif real_cert_valid_for 0; then
		log "certificate on the volume for $DOMAIN expires within $RENEW_DAYS days: renewing now"
	else
		log "no valid certificate for $DOMAIN under $LEGO_PATH: starting with a bootstrap certificate"
	fi
	render || die "cannot render the nginx configuration"
	nginx_cmd -t -q || die "nginx -t rejects the rendered configuration"
	nginx_exec -g 'daemon off;' &
	NGINX_PID=$!
	# nginx writes its pid file once its sockets listen (it retries a busy port for ~2.5 s):
	# only then is it "started", and only then may the CA come for the challenge.
	n=0
	while [ ! -s "$PID_FILE" ] && [ "$n" -lt 50 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	if [ -s "$PID_FILE" ]; then
		printf '%s\n' "$RENDERED_SERIAL" >"$LOADED_SERIAL_FILE"
		log "nginx started (pid $NGINX_PID, mode $MODE, http :$HTTP_PORT$([ "$MODE" = http ] || echo ", https :$HTTPS_PORT"))"
	fi

	if [ -n "$DOMAIN" ]; then
		renewal_loop "$delay" &
		RENEW_PID=$!
	fi

	# wait returns early for every trapped signal; only nginx exiting ends the loop.
	while :; do
		rc=0
		wait "$NGINX_PID" || rc=$?
		kill -0 "$NGINX_PID" 2>/dev/null || break
	done
	[ -n "$STOPPING" ] && exit 0
	log "nginx exited on its own (status $rc)"
	[ -n "$RENEW_PID" ] && kill -TERM "$RENEW_PID" 2>/dev/null
	exit "$rc"
}

case "${1:-run}" in
run)
	run
	;;
render)
	validate_env
	render || die "cannot render the nginx configuration"
	log "rendered $CONF_DIR/nginx.conf (mode $MODE)"
	printf '%s\n' "$CONF_DIR/nginx.conf"
	;;
renew)
	validate_env
	[ -n "$DOMAIN" ] || die "renew: no DOMAIN set"
	mode=""
	[ "${2:-}" = --force ] && mode=force
	rc=0
	acme_once "$mode" || rc=$?
	[ "$rc" -ne 3 ] || die "renew: another proxy holds the ACME lock ($LOCK_DIR): not renewing; try again later"
	exit "$rc"
	;;
*)
	die "unknown command '$1' (run, render, renew [--force])"
	;;
esac
