# shellcheck shell=sh
# Certificates of the proxy: the ACME certificate on the volume, lego runs (first order,
# renewal), the fleet-wide lock on the volume, the reload of a certificate another proxy renewed,
# and the renewal loop.
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

# Only through run_child (exec, so that the child pid is lego's own, or timeout's, which passes
# signals on). lego gets at most half of ACME_LOCK_STALE_SECONDS: a live holder never keeps the
# lock past the bound after which the other proxies break it.
lego_exec() {
	exec timeout "$((ACME_LOCK_STALE_SECONDS / 2))" "$LEGO_BIN" --accept-tos --server "$ACME_DIRECTORY" \
		--email "$ACME_EMAIL" --domains "$DOMAIN" --path "$LEGO_PATH" --http --http.webroot "$WEBROOT" "$@"
}

# The HTTP-01 webroot is on the certificate volume, shared by every proxy of the fleet: whichever
# proxy the CA's validation reaches serves the token the ordering proxy's lego wrote. Its
# directories are 755 (lego writes its tokens 644); the volume root stays 700 when the workers run
# as the volume's owner (the image's uid 101). Run as root, the workers are www-data: the root
# then gets o+x (enter, not list), which opens nothing else, as lego keeps its accounts and
# certificates in 700 directories.
ensure_webroot() {
	mkdir -p "$WEBROOT/.well-known/acme-challenge" || {
		log "error: cannot create the ACME webroot $WEBROOT: ACME_PATH must be writable by uid $(id -u)"
		return 1
	}
	chmod 755 "$WEBROOT" "$WEBROOT/.well-known" "$WEBROOT/.well-known/acme-challenge" 2>/dev/null || true
	if [ "$(id -u)" = 0 ]; then
		chmod o+x "$ACME_PATH" || {
			log "error: cannot let the nginx workers (www-data) into $ACME_PATH: the ACME challenge will not be served"
			return 1
		}
	fi
}

# The ACME lock, on the certificate volume: one proxy of the fleet (and, within a container, one of
# the renewal loop and `entrypoint.sh renew`) runs lego at a time. A directory (mkdir is atomic,
# on EFS/NFSv4 too) holding an `owner` file: who (host, task, pid, the pid namespace and boot it
# lives in, the pid's start time) and since when (epoch seconds).
LOCKED=""
MY_HOST=$(cat /proc/sys/kernel/hostname 2>/dev/null || echo unknown)
MY_BOOT=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo unknown)
MY_PIDNS=$(readlink /proc/self/ns/pid 2>/dev/null || echo unknown)

# proc_start PID: the process's start time (clock ticks after boot), field 22 of /proc/PID/stat;
# empty when there is no such process. The command name in field 2 may hold spaces: cut after ')'.
proc_start() {
	sed -e 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20
}

lock_field() {
	sed -n "s/^$1=//p" "$LOCK_DIR/owner" 2>/dev/null | head -n 1
}

lock_owner_text() {
	host=$(lock_field host)
	task=$(lock_field task)
	pid=$(lock_field pid)
	if [ -z "$host$pid" ]; then
		echo "an unknown owner (no owner file)"
	else
		echo "$host${task:+ task $task} pid $pid"
	fi
}

# try_lock: 0 taken, 1 held by another, 2 cannot be taken at all (the volume is not writable).
try_lock() {
	if ! mkdir "$LOCK_DIR" 2>/dev/null; then
		[ -d "$LOCK_DIR" ] && return 1
		log "error: cannot create the ACME lock $LOCK_DIR: ACME_PATH must be writable by uid $(id -u)"
		return 2
	fi
	LOCKED=1
	MY_LOCK_OWNER=$(
		printf 'host=%s\n' "$MY_HOST"
		[ -z "${TASK_ID:-}" ] || printf 'task=%s\n' "$TASK_ID"
		printf 'pid=%s\npidns=%s\nboot=%s\nstart=%s\nsince=%s\n' "$$" "$MY_PIDNS" "$MY_BOOT" "$(proc_start $$)" "$(date +%s)"
	)
	if ! { printf '%s\n' "$MY_LOCK_OWNER" >"$LOCK_DIR/owner.tmp" && mv -f "$LOCK_DIR/owner.tmp" "$LOCK_DIR/owner"; }; then
		rm -rf "$LOCK_DIR"
		LOCKED=""
		log "error: cannot write the ACME lock's owner in $LOCK_DIR: ACME_PATH must be writable by uid $(id -u)"
		return 2
	fi
	return 0
}

# lock_stale: whether the lock held now may be broken, the reason in STALE_REASON. Stale when
# taken more than ACME_LOCK_STALE_SECONDS ago (by the owner's timestamp, else the directory's
# mtime), or when its owner is provably dead: same boot, same pid namespace, and that pid is gone
# or is another process (another start time). An owner in another container or on another host
# cannot be checked: only the age counts then.
lock_stale() {
	since=$(lock_field since)
	case "$since" in
	'' | *[!0-9]*) since=$(stat -c %Y "$LOCK_DIR" 2>/dev/null) || return 1 ;;
	esac
	LOCK_AGE=$(($(date +%s) - since))
	if [ "$LOCK_AGE" -gt "$ACME_LOCK_STALE_SECONDS" ]; then
		STALE_REASON="taken ${LOCK_AGE}s ago, more than ACME_LOCK_STALE_SECONDS=${ACME_LOCK_STALE_SECONDS}s"
		return 0
	fi
	pid=$(lock_field pid)
	case "$pid" in '' | *[!0-9]*) return 1 ;; esac
	if [ "$(lock_field boot)" = "$MY_BOOT" ] && [ "$(lock_field pidns)" = "$MY_PIDNS" ] &&
		[ "$(lock_field host)" = "$MY_HOST" ] && [ "$(proc_start "$pid")" != "$(lock_field start)" ]; then
		STALE_REASON="its owner, pid $pid on this host, is gone"
		return 0
	fi
	return 1
}

# break_lock: removes the stale lock seen by lock_stale. Moved aside first (rename is atomic), then
# checked to be the very lock judged stale: if another proxy broke it and took a new one in
# between, that one is put back.
break_lock() {
	seen=$(cat "$LOCK_DIR/owner" 2>/dev/null)
	who=$(lock_owner_text)
	aside="$LOCK_DIR.broken.$$.$(date +%s%N)"
	mv -T "$LOCK_DIR" "$aside" 2>/dev/null || return 0
	if [ "$(cat "$aside/owner" 2>/dev/null)" != "$seen" ]; then
		mv -T "$aside" "$LOCK_DIR" 2>/dev/null || log "warning: moved aside a fresh ACME lock ($aside) and could not put it back"
		return 0
	fi
	rm -rf "$aside"
	log "broke the stale ACME lock of $who: $STALE_REASON"
}

# acquire_lock: 0 taken; 1 held by another proxy for ACME_LOCK_WAIT_SECONDS (this round does not
# order); 2 the lock cannot be taken.
acquire_lock() {
	waited=0 reported=""
	while :; do
		try_lock
		case $? in
		0) return 0 ;;
		2) return 2 ;;
		esac
		# Released since the mkdir: try again at once.
		[ -d "$LOCK_DIR" ] || continue
		if lock_stale; then
			break_lock
			[ -d "$LOCK_DIR" ] || continue
		fi
		if [ "$waited" -ge "$ACME_LOCK_WAIT_SECONDS" ]; then
			log "ACME lock still held by $(lock_owner_text) after ${waited}s: skipping this round, no ACME order"
			return 1
		fi
		if [ -z "$reported" ]; then
			log "ACME lock held by $(lock_owner_text) since ${LOCK_AGE:-?}s: waiting (at most ${ACME_LOCK_WAIT_SECONDS}s) instead of ordering"
			reported=1
		fi
		sleep 1
		waited=$((waited + 1))
	done
}

# release_lock: removes the lock only while it is still this proxy's (it could have been broken
# and taken by another proxy if this one outlived the stale bound, say through clock skew).
release_lock() {
	if [ -n "$LOCKED" ]; then
		if [ "$(cat "$LOCK_DIR/owner" 2>/dev/null)" = "$MY_LOCK_OWNER" ]; then
			rm -rf "$LOCK_DIR"
		else
			log "warning: the ACME lock was broken while this proxy held it (now held by $(lock_owner_text)): left alone"
		fi
	fi
	LOCKED=""
}

# The serial of the certificate nginx was last started or reloaded with (empty: bootstrap or
# plain HTTP), in a file: the main shell, the renewal loop and `entrypoint.sh renew` all reload.
loaded_serial() {
	cat "$LOADED_SERIAL_FILE" 2>/dev/null || true
}

# Whether the certificate's public key is the key file's: lego writes the two files one after
# the other, and a proxy that did not renew may look in between.
cert_matches_key() {
	a=$(openssl x509 -in "$CERT_FILE" -noout -pubkey 2>/dev/null) &&
		b=$(openssl pkey -in "$KEY_FILE" -pubout 2>/dev/null) && [ -n "$a" ] && [ "$a" = "$b" ]
}

# watch_certificate: the cheap check of every CERT_CHECK_SECONDS. When the certificate on the
# volume is not the one nginx serves (another proxy of the fleet renewed it), reload.
watch_certificate() {
	[ -s "$PID_FILE" ] || return 0
	disk=$(cert_serial)
	loaded=$(loaded_serial)
	[ -n "$disk" ] && [ "$disk" != "$loaded" ] || return 0
	real_cert_valid_for 0 || return 0
	if ! cert_matches_key; then
		log "the certificate on the volume (${disk#serial=}) does not match its key yet: checking again in ${CERT_CHECK_SECONDS}s"
		return 0
	fi
	serving="the bootstrap certificate"
	[ -z "$loaded" ] || serving="serial ${loaded#serial=}"
	log "the certificate on the volume changed (serial ${disk#serial=}, serving $serving): reloading"
	reload
}

# acme_once [force]: order a certificate if there is none, renew it if it expires within
# RENEW_DAYS (or always when forced), reload nginx if the certificate on the volume is not the
# one it serves. Returns 0 done, 1 failed, 3 skipped (another proxy holds the ACME lock).
acme_once() {
	before=$(cert_serial)
	acquire_lock
	case $? in
	1) return 3 ;;
	2) return 1 ;;
	esac
	rc=0 ran=""
	if [ -s "$CERT_FILE" ]; then
		if [ "${1:-}" = force ] && [ "$(cert_serial)" != "$before" ]; then
			log "the certificate for $DOMAIN was renewed by another proxy while this one waited for the lock: no forced renewal"
		elif [ "${1:-}" = force ]; then
			log "forced renewal of the certificate for $DOMAIN"
			ran=1
			# The schedule starts at container start, which already spreads renewals: no extra
			# random sleep (lego's default is up to 8 minutes).
			run_child lego_exec renew --days=-1 --no-random-sleep || rc=$?
		elif real_cert_valid_for $((RENEW_DAYS * 86400)); then
			log "certificate for $DOMAIN valid for more than $RENEW_DAYS days: no renewal"
		else
			log "certificate for $DOMAIN expires within $RENEW_DAYS days: renewing"
			ran=1
			run_child lego_exec renew --days="$RENEW_DAYS" --no-random-sleep || rc=$?
		fi
	else
		log "ordering a certificate for $DOMAIN from $ACME_DIRECTORY (HTTP-01, webroot)"
		ran=1
		run_child lego_exec run || rc=$?
	fi
	release_lock
	if [ "$rc" -ne 0 ]; then
		log "ACME failed (lego exit $rc): still serving the current certificate"
		return 1
	fi
	after=$(cert_serial)
	if [ -n "$ran" ] && [ "$after" != "$before" ]; then
		log "new certificate for $DOMAIN: $(cert_summary)"
	fi
	if [ -n "$after" ] && [ "$after" != "$(loaded_serial)" ] && [ -s "$PID_FILE" ]; then
		reload
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

# renewal_loop DELAY: an ACME round after DELAY seconds, then every RENEW_INTERVAL_SECONDS (after
# a failure: the backoff; after a round skipped for the lock: ACME_RETRY_SECONDS). Between rounds,
# the certificate on the volume is checked every CERT_CHECK_SECONDS (0: never) and reloaded when
# another proxy renewed it.
renewal_loop() {
	FORCE="" SLEEPING="" CHILD="" failures=0 retry_mode=""
	trap '[ -n "$CHILD" ] && kill "$CHILD" 2>/dev/null; release_lock; exit 0' TERM
	trap 'FORCE=force; [ -n "$SLEEPING" ] && [ -n "$CHILD" ] && kill "$CHILD" 2>/dev/null' USR1
	next=$(($(date +%s) + $1))
	while :; do
		now=$(date +%s)
		if [ -z "$FORCE" ] && [ "$now" -lt "$next" ]; then
			nap=$((next - now))
			if [ "$CERT_CHECK_SECONDS" -gt 0 ] && [ "$nap" -gt "$CERT_CHECK_SECONDS" ]; then
				nap=$CERT_CHECK_SECONDS
			fi
			SLEEPING=1
			run_child sleep "$nap" || true
			SLEEPING=""
			[ -n "$FORCE" ] || [ "$CERT_CHECK_SECONDS" -eq 0 ] || watch_certificate || true
			continue
		fi
		# A retry does what the failed round was asked to do: a forced renewal stays forced (else the
		# retry would find the old certificate still valid and renew nothing).
		mode=${FORCE:-$retry_mode}
		FORCE=""
		rc=0
		acme_once "$mode" || rc=$?
		if [ "$rc" -eq 0 ]; then
			[ "$failures" -eq 0 ] || log "ACME succeeded after $failures failed round(s)"
			failures=0 retry_mode=""
			delay=$RENEW_INTERVAL_SECONDS
		elif [ "$rc" -eq 3 ]; then
			# The holder is renewing: its certificate arrives through the check above.
			retry_mode=""
			delay=$ACME_RETRY_SECONDS
			log "ACME round skipped (another proxy holds the lock): next round in ${delay}s"
		else
			failures=$((failures + 1))
			retry_mode=$mode
			delay=$(retry_delay "$failures")
			log "ACME round failed ($failures in a row): retrying in ${delay}s"
		fi
		next=$(($(date +%s) + delay))
	done
}
