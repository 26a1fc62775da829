# shellcheck shell=dash
# workload.sh (installed as /usr/lib/ferry/workload.sh): start, stop and describe guest workloads.
# Sourced by /init (boot-time workloads) and by the CGI scripts under /www/cgi-bin.
#
# Each workload NAME has, under /run/ferry: NAME.pid, NAME.args (what it was
# started with) and NAME.log (its stdout/stderr). /run is tmpfs, so this state
# lives in guest RAM and migrates with the guest.

FERRY_RUN=/run/ferry
DISKWRITE_ACK=/run/ferry-diskwrite.ack
mkdir -p "$FERRY_RUN"

# wl_pid NAME: prints the pid and succeeds if NAME is running. Checks the
# process name too, so a recycled pid is not mistaken for the workload.
wl_pid() {
	local pid state comm
	[ -f "$FERRY_RUN/$1.pid" ] || return 1
	read -r pid <"$FERRY_RUN/$1.pid" || return 1
	[ -r "/proc/$pid/stat" ] || return 1
	read -r _ comm state _ <"/proc/$pid/stat" || return 1
	[ "$comm" = "(ferry-$1)" ] && [ "$state" != Z ] || return 1
	echo "$pid"
}

# wl_start NAME ARGS...: (re)starts /usr/bin/ferry-NAME ARGS in its own session,
# detached from the caller (a CGI request must not wait for it).
wl_start() {
	local name=$1
	shift
	wl_stop "$name"
	echo "$*" >"$FERRY_RUN/$name.args"
	# In a non-interactive shell a background job is not a group leader, so
	# setsid execs in place and $! is the workload's own pid.
	setsid "/usr/bin/ferry-$name" "$@" </dev/null >>"$FERRY_RUN/$name.log" 2>&1 &
	echo $! >"$FERRY_RUN/$name.pid"
}

# wl_stop NAME: SIGTERM, wait up to 5 s, then SIGKILL.
wl_stop() {
	local pid i=0
	pid=$(wl_pid "$1") || { rm -f "$FERRY_RUN/$1.pid"; return 0; }
	kill -TERM "$pid" 2>/dev/null
	while wl_pid "$1" >/dev/null && [ $i -lt 50 ]; do
		usleep 100000
		i=$((i + 1))
	done
	wl_pid "$1" >/dev/null && kill -KILL "$pid" 2>/dev/null
	rm -f "$FERRY_RUN/$1.pid"
	return 0
}

# wl_json NAME: {"running":..,"pid":..,"args":".."} for the status page.
wl_json() {
	local pid args=""
	[ -f "$FERRY_RUN/$1.args" ] && read -r args <"$FERRY_RUN/$1.args"
	if pid=$(wl_pid "$1"); then
		printf '{"running":true,"pid":%s,"args":"%s"}' "$pid" "$args"
	else
		printf '{"running":false,"args":"%s"}' "$args"
	fi
}

# Argument checks: only plain numbers and device paths ever reach a command line.
is_uint() { case $1 in '' | *[!0-9]*) return 1 ;; esac; }
is_number() { case $1 in '' | . | *[!0-9.]* | *.*.*) return 1 ;; esac; }
is_dev() { case $1 in /dev/*[!A-Za-z0-9/_-]* | *..*) return 1 ;; /dev/?*) return 0 ;; esac; return 1; }

# dirty_start WSS_MIB RATE_MIBPS
dirty_start() { wl_start dirty "$1" "$2"; }

# diskwrite_start DEV RATE_MIBPS BLOCKS
diskwrite_start() {
	wl_start diskwrite "$1" --rate-mibps "$2" --blocks "$3" --ack-file "$DISKWRITE_ACK"
}
