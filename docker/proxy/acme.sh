# shellcheck shell=sh
# Certificates of the proxy: the ACME certificate on the volume, lego runs (first order,
# renewal), the lock between the renewal loop and `entrypoint.sh renew`, and the renewal loop.
# Sourced by entrypoint.sh, whose settings and log/die it uses; reload comes from nginx-config.sh.

# One lego data dir per ACME directory host: a staging certificate on the volume is never taken
# for a production one when ACME_DIRECTORY changes (lego itself keys accounts the same way).
ca_host=${ACME_DIRECTORY#*://}
ca_host=${ca_host%%/*}
LEGO_PATH="$ACME_PATH/$(printf '%s' "$ca_host" | tr -c 'A-Za-z0-9.\n-' '_')"
CERT_FILE="$LEGO_PATH/certificates/$DOMAIN.crt"
KEY_FILE="$LEGO_PATH/certificates/$DOMAIN.key"

# real_cert_valid_for SECONDS: the ACME certificate exists and is valid for at least SECONDS more.
real_cert_valid_for() {
	[ -n "$DOMAIN" ] && [ -s "$CERT_FILE" ] && [ -s "$KEY_FILE" ] &&
		openssl x509 -in "$CERT_FILE" -noout -checkend "$1" >/dev/null 2>&1
}

cert_serial() {
	if [ -s "$CERT_FILE" ]; then
		openssl x509 -in "$CERT_FILE" -noout -serial 2>/dev/null || true
	fi
}

cert_summary() {
	openssl x509 -in "$CERT_FILE" -noout -serial -enddate -issuer 2>/dev/null | tr '\n' ' '
}

# Only through run_child (exec, so that the child pid is lego's own).
lego_exec() {
	exec "$LEGO_BIN" --accept-tos --server "$ACME_DIRECTORY" --email "$ACME_EMAIL" \
		--domains "$DOMAIN" --path "$LEGO_PATH" --http --http.webroot "$WEBROOT" "$@"
}

# The renewal loop and `entrypoint.sh renew` never run lego at the same time.
LOCKED=""
acquire_lock() {
	tries=0
	until mkdir "$LOCK_DIR" 2>/dev/null; do
		tries=$((tries + 1))
		if [ "$tries" -gt 300 ]; then
			log "ACME lock $LOCK_DIR held for 5 minutes: giving up this round"
			return 1
		fi
		sleep 1
	done
	LOCKED=1
}

release_lock() {
	[ -z "$LOCKED" ] || rmdir "$LOCK_DIR" 2>/dev/null
	LOCKED=""
}

# acme_once [force]: order a certificate if there is none, renew it if it expires within
# RENEW_DAYS (or always when forced), reload nginx if the certificate changed.
acme_once() {
	before=$(cert_serial)
	acquire_lock || return 1
	rc=0
	if [ -s "$CERT_FILE" ]; then
		if [ "${1:-}" = force ]; then
			log "forced renewal of the certificate for $DOMAIN"
			days=-1
		elif real_cert_valid_for $((RENEW_DAYS * 86400)); then
			release_lock
			log "certificate for $DOMAIN valid for more than $RENEW_DAYS days: no renewal"
			return 0
		else
			log "certificate for $DOMAIN expires within $RENEW_DAYS days: renewing"
			days=$RENEW_DAYS
		fi
		# The schedule starts at container start, which already spreads renewals: no extra
		# random sleep (lego's default is up to 8 minutes).
		run_child lego_exec renew --days="$days" --no-random-sleep || rc=$?
	else
		log "ordering a certificate for $DOMAIN from $ACME_DIRECTORY (HTTP-01, webroot)"
		run_child lego_exec run || rc=$?
	fi
	release_lock
	if [ "$rc" -ne 0 ]; then
		log "ACME failed (lego exit $rc): still serving the current certificate"
		return 1
	fi
	after=$(cert_serial)
	if [ "$after" != "$before" ]; then
		log "new certificate for $DOMAIN: $(cert_summary)"
		[ -s "$PID_FILE" ] && reload
	fi
	return 0
}

# run_child CMD...: runs CMD (an external command or an exec-ing function) in the background
# and waits for it, so that a trapped signal is handled at once instead of after CMD ends.
# CHILD holds its pid for the signal handlers.
run_child() {
	"$@" &
	CHILD=$!
	child_rc=0
	while :; do
		wait "$CHILD" && child_rc=0 || child_rc=$?
		kill -0 "$CHILD" 2>/dev/null || break
	done
	CHILD=""
	return "$child_rc"
}

# retry_delay FAILURES: seconds to wait after that many failed rounds in a row: ACME_RETRY_SECONDS,
# doubled at each further failure, capped at ACME_RETRY_MAX_SECONDS. An ACME outage is not
# hammered (and Let's Encrypt's 5 failed validations an hour are not spent), and a long one is
# still retried a few times an hour at worst.
retry_delay() {
	d=$ACME_RETRY_SECONDS
	n=1
	while [ "$n" -lt "$1" ] && [ "$d" -lt "$ACME_RETRY_MAX_SECONDS" ]; do
		d=$((d * 2))
		n=$((n + 1))
	done
	[ "$d" -gt "$ACME_RETRY_MAX_SECONDS" ] && d=$ACME_RETRY_MAX_SECONDS
	echo "$d"
}

renewal_loop() {
	FORCE="" SLEEPING="" CHILD="" failures=0 retry_mode=""
	trap '[ -n "$CHILD" ] && kill "$CHILD" 2>/dev/null; release_lock; exit 0' TERM
	trap 'FORCE=force; [ -n "$SLEEPING" ] && [ -n "$CHILD" ] && kill "$CHILD" 2>/dev/null' USR1
	delay=$1
	while :; do
		if [ -z "$FORCE" ] && [ "$delay" -gt 0 ]; then
			SLEEPING=1
			run_child sleep "$delay" || true
			SLEEPING=""
		fi
		# A retry does what the failed round was asked to do: a forced renewal stays forced (else the
		# retry would find the old certificate still valid and renew nothing).
		mode=${FORCE:-$retry_mode}
		FORCE=""
		if acme_once "$mode"; then
			[ "$failures" -eq 0 ] || log "ACME succeeded after $failures failed round(s)"
			failures=0 retry_mode=""
			delay=$RENEW_INTERVAL_SECONDS
		else
			failures=$((failures + 1))
			retry_mode=$mode
			delay=$(retry_delay "$failures")
			log "ACME round failed ($failures in a row): retrying in ${delay}s"
		fi
	done
}

