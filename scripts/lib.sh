# Shared set-up for Ferry's scripts: packages, a JDK >= 21, the build, the guest image.
# Sourced, not run. Every step is idempotent: a second run only checks.
set -euo pipefail

FERRY_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly FERRY_ROOT
readonly FERRY_PACKAGES=(qemu-system-x86 qemu-utils busybox-static e2fsprogs iproute2 gcc libc6-dev make kmod curl)

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

require_root() {
	[ "$(id -u)" = 0 ] || die "Ferry's testbed creates network namespaces and taps: run this as root"
}

# Installs the Debian packages Ferry needs that are missing.
ensure_packages() {
	local missing=() p
	for p in "${FERRY_PACKAGES[@]}" "$@"; do
		[ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null)" = "ii " ] || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	say "Installing Debian packages: ${missing[*]}"
	if ! apt-get update -qq >/tmp/ferry-apt.log 2>&1; then
		die "cannot reach the Debian package registry (apt-get update failed; see /tmp/ferry-apt.log)"
	fi
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
		>>/tmp/ferry-apt.log 2>&1; then
		die "apt-get install ${missing[*]} failed (see /tmp/ferry-apt.log)"
	fi
}

# Picks a JDK >= 21: $JAVA_HOME if it qualifies, else the newest under /usr/lib/jvm.
ensure_jdk() {
	local candidate version best='' best_version=0
	for candidate in ${JAVA_HOME:-} /usr/lib/jvm/*; do
		[ -x "$candidate/bin/javac" ] || continue
		version=$("$candidate/bin/java" -XshowSettings:properties -version 2>&1 |
			sed -n 's/^ *java.specification.version = //p')
		version=${version%%.*}
		if [ "${version:-0}" -ge 21 ] && [ "$version" -gt "$best_version" ]; then
			best=$candidate best_version=$version
		fi
	done
	[ -n "$best" ] || die "Ferry needs a JDK 21 or newer (none in \$JAVA_HOME or /usr/lib/jvm; the default java is $(java -version 2>&1 | head -1))"
	export JAVA_HOME=$best
	export PATH=$JAVA_HOME/bin:$PATH
	# Maven 3.8 on a recent JDK warns about sun.misc.Unsafe; the warning is noise.
	export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
	command -v mvn >/dev/null || ensure_packages maven
}

# Builds the test guest (cached; rebuilt when its inputs change) and exports FERRY_GUEST_DIR.
ensure_guest() {
	say "Guest image"
	local dir
	dir=$("$FERRY_ROOT/guest/build-image.sh" | tail -n 1)
	[ -f "$dir/vmlinuz" ] || die "guest image build did not produce $dir/vmlinuz"
	export FERRY_GUEST_DIR=$dir
}

# The product's command and the lab's, built by ensure_build. The lab starts its agents with the
# product's jar ($FERRY_JAR): the lab never links the product's command line.
readonly FERRY_JAR_PATH=$FERRY_ROOT/cli/target/ferry.jar
readonly FERRY_LAB_JAR=$FERRY_ROOT/lab/target/ferry-lab.jar

# True if $1 exists and is newer than every source file.
is_fresh() {
	[ -f "$1" ] && [ -z "$(find "$FERRY_ROOT" -path '*/target' -prune -o \
		\( -name '*.java' -o -name 'pom.xml' -o -name '*.xml' -o -name '*.properties' \) -newer "$1" -print -quit)" ]
}

# Builds ferry.jar and ferry-lab.jar (skipping tests) unless they are newer than every source
# file. 'package' in the reactor: nothing is installed into the local Maven repository.
ensure_build() {
	export FERRY_JAR=$FERRY_JAR_PATH
	if is_fresh "$FERRY_JAR_PATH" && is_fresh "$FERRY_LAB_JAR"; then
		return 0
	fi
	say "Building Ferry"
	(cd "$FERRY_ROOT" && mvn -B -q -DskipTests package -pl cli,lab -am) || die "the build failed"
}

ferry() {
	"$JAVA_HOME/bin/java" -jar "$FERRY_JAR_PATH" "$@"
}

ferry_lab() {
	FERRY_JAR=$FERRY_JAR_PATH "$JAVA_HOME/bin/java" -jar "$FERRY_LAB_JAR" "$@"
}
