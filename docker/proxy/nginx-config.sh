# shellcheck shell=sh
# The nginx configuration of the proxy: rendering the templates for the current certificate
# state, the self-signed bootstrap certificate, starting and reloading nginx. Sourced by
# entrypoint.sh, whose settings and log/die it uses.

ensure_bootstrap_cert() {
	if [ -s "$BOOTSTRAP_DIR/cert.pem" ] && [ -s "$BOOTSTRAP_DIR/key.pem" ]; then
		return 0
	fi
	mkdir -p "$BOOTSTRAP_DIR"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
		-subj "/CN=$DOMAIN" -addext "subjectAltName=DNS:$DOMAIN" \
		-keyout "$BOOTSTRAP_DIR/key.pem" -out "$BOOTSTRAP_DIR/cert.pem" >/dev/null 2>&1 || {
		log "error: openssl could not create the bootstrap certificate"
		return 1
	}
	log "created a self-signed bootstrap certificate for $DOMAIN (until the ACME order completes)"
}

sed_escape() {
	printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'
}

# upstream_servers LIST: the `server` lines of an upstream for a space-separated host:port list
# (validated by entrypoint.sh), on one line. One copy: max_fails=0, since nginx would otherwise
# mark the only server dead for fail_timeout after one refused connection and answer "no live
# upstreams" even once it is back. Several copies: a copy that refuses or times out once is left
# out for 1 s (passive health) while the others serve, and then tried again with one request.
upstream_servers() {
	# shellcheck disable=SC2086 # split on spaces: the list holds only host:port words
	set -- $1
	if [ "$#" -eq 1 ]; then
		printf 'server %s max_fails=0;' "$1"
		return
	fi
	for address in "$@"; do
		printf 'server %s max_fails=1 fail_timeout=1s; ' "$address"
	done
}

# render_template NAME: substitutes exactly the named @VARS@ below, nothing from the environment.
render_template() {
	sed \
		-e "s|@RUN_DIR@|$(sed_escape "$PROXY_RUN_DIR")|g" \
		-e "s|@CONF_DIR@|$(sed_escape "$CONF_DIR")|g" \
		-e "s|@WEBROOT@|$(sed_escape "$WEBROOT")|g" \
		-e "s|@API_SERVERS@|$(upstream_servers "$API_UPSTREAM")|g" \
		-e "s|@FRONTEND_SERVERS@|$(upstream_servers "$FRONTEND_UPSTREAM")|g" \
		-e "s|@LISTEN_ADDRESS@|$LISTEN_ADDRESS|g" \
		-e "s|@HTTP_PORT@|$HTTP_PORT|g" \
		-e "s|@HTTPS_PORT@|$HTTPS_PORT|g" \
		-e "s|@HTTPS_PORT_SUFFIX@|$https_port_suffix|g" \
		-e "s|@DOMAIN@|$DOMAIN|g" \
		-e "s|@CERT_FILE@|$(sed_escape "$tls_cert")|g" \
		-e "s|@KEY_FILE@|$(sed_escape "$tls_key")|g" \
		-e "s|@HSTS_DIRECTIVE@|$(sed_escape "$hsts")|g" \
		-e "s|@USER_DIRECTIVE@|$user_directive|g" \
		"$PROXY_TEMPLATE_DIR/$1.template"
}

# render: writes the config for the current state and sets MODE to
#   http       no DOMAIN: plain HTTP only (local rehearsal)
#   bootstrap  DOMAIN but no usable ACME certificate yet: HTTP serves the app, HTTPS self-signed
#   tls        ACME certificate in place: HTTP redirects to HTTPS, HSTS on
render() {
	https_port_suffix=":$HTTPS_PORT"
	[ "$HTTPS_PORT" = 443 ] && https_port_suffix=""
	tls_cert="" tls_key="" hsts="# HSTS is only sent with a real certificate" RENDERED_SERIAL=""
	user_directive="# not root: the workers run as the master's user"
	[ "$(id -u)" = 0 ] && user_directive="user www-data;"
	if [ -z "$DOMAIN" ]; then
		MODE=http
	elif real_cert_valid_for 0; then
		MODE=tls tls_cert="$CERT_FILE" tls_key="$KEY_FILE" RENDERED_SERIAL=$(cert_serial)
		hsts='add_header Strict-Transport-Security "max-age=63072000" always;'
	else
		MODE=bootstrap tls_cert="$BOOTSTRAP_DIR/cert.pem" tls_key="$BOOTSTRAP_DIR/key.pem"
		ensure_bootstrap_cert || return 1
	fi

	mkdir -p "$CONF_DIR" "$PROXY_RUN_DIR/tmp" || return 1
	chmod 755 "$PROXY_RUN_DIR"
	# nginx workers (www-data under a root master, else the master's user) read the challenge
	# files lego writes, on the volume (acme.sh). Without DOMAIN there are none: the location 404s.
	# A volume it cannot write (read-only, say) still serves the certificate on it: logged, not fatal.
	if [ -n "$DOMAIN" ]; then
		ensure_webroot || true
	fi

	# Rendered aside, then moved in: a reload never sees half a configuration.
	tmp="$CONF_DIR/.render.$$"
	rm -rf "$tmp" && mkdir "$tmp" || return 1
	case "$MODE" in
	http) servers="http-app.conf" ;;
	bootstrap) servers="http-app.conf https.conf" ;;
	tls) servers="http-redirect.conf https.conf" ;;
	esac
	ok=1
	for t in nginx.conf service-locations.conf app-locations.conf; do
		render_template "$t" >"$tmp/$t" || ok=""
	done
	for t in $servers; do
		render_template "$t" >>"$tmp/servers.conf" || ok=""
	done
	if [ -z "$ok" ]; then
		rm -rf "$tmp"
		log "error: cannot render the templates in $PROXY_TEMPLATE_DIR"
		return 1
	fi
	if grep -n '@[A-Z_]*@' "$tmp"/*.conf >&2; then
		rm -rf "$tmp"
		log "error: unrendered placeholder in a template (above)"
		return 1
	fi
	for f in "$tmp"/*.conf; do
		mv -f "$f" "$CONF_DIR/" || return 1
	done
	rmdir "$tmp"
}

nginx_cmd() {
	"$NGINX_BIN" -p "$PROXY_RUN_DIR/" -c "$CONF_DIR/nginx.conf" -e stderr "$@"
}

# Started in the background (`nginx_exec ... &`): exec makes the background pid nginx's own, so
# signals reach the master rather than a subshell.
nginx_exec() {
	exec "$NGINX_BIN" -p "$PROXY_RUN_DIR/" -c "$CONF_DIR/nginx.conf" -e stderr "$@"
}

# reload: re-render for the current certificate state and let nginx switch gracefully
# (old workers finish their requests; the listening sockets never close).
reload() {
	render || return 1
	if ! nginx_cmd -t -q; then
		log "rendered config fails nginx -t: keeping the running configuration"
		return 1
	fi
	nginx_cmd -s reload || return 1
	printf '%s\n' "$RENDERED_SERIAL" >"$LOADED_SERIAL_FILE"
	log "nginx reloaded (mode $MODE)"
}

