# shellcheck shell=dash
# cgi.sh (installed as /usr/lib/ferry/cgi.sh): helpers for the CGI scripts served by busybox httpd.
# busybox httpd passes a CGI's output through unchanged when it starts with
# "HTTP/", so the scripts write their own status line.

. /usr/lib/ferry/workload.sh

# param NAME: the URL-decoded value of NAME in QUERY_STRING (empty if absent).
param() {
	local v
	v=$(echo "&$QUERY_STRING&" | sed -n "s/.*&$1=\([^&]*\)&.*/\1/p")
	[ -n "$v" ] && httpd -d "$v" || true
}

# reply STATUS JSON: a complete response with a JSON body.
reply() {
	printf 'HTTP/1.0 %s\r\nContent-Type: application/json\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n%s\n' "$1" "$2"
	exit 0
}

bad_request() { reply "400 Bad Request" "{\"ok\":false,\"error\":\"$1\"}"; }
