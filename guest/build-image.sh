#!/usr/bin/env bash
# Builds the Ferry test guest from Debian packages only: the Debian cloud
# kernel plus a busybox initramfs carrying the workload tools (guest/tools),
# the /init and the CGI scripts (guest/rootfs). See guest/README.md.
#
# Output is cached under ${FERRY_CACHE:-/var/cache/ferry}/guest/<hash>/, where
# <hash> covers every input (this script, guest/rootfs, guest/tools, the
# kernel package version, busybox, compiler and libc versions); it is rebuilt
# only when one of them changes. The initramfs is reproducible: two builds
# from the same inputs have the same sha256.
#
# The last line on stdout is the output directory; everything else goes to stderr.
set -Eeuo pipefail
umask 022
export LC_ALL=C DEBIAN_FRONTEND=noninteractive

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly HERE
readonly CACHE=${FERRY_CACHE:-/var/cache/ferry}
readonly GUEST_CACHE=$CACHE/guest
readonly DEB_CACHE=${FERRY_DEB_CACHE:-$CACHE/debs}
readonly KERNEL_META=linux-image-cloud-amd64
# Drivers the guest needs; their dependencies are added in load order.
# button + evdev: the ACPI power button reaches acpid, so a graceful stop works.
readonly WANTED_MODULES="virtio_pci virtio_net virtio_blk button evdev"

exec 3>&1 1>&2 # keep stdout for the final result line
trap 'echo "build-image: error: line $LINENO: \"$BASH_COMMAND\" failed"' ERR

log() { echo "build-image: $*"; }
die() {
	echo "build-image: error: $*"
	exit 1
}

usage() {
	cat <<EOF
usage: build-image.sh [--out DIR] [--data-disk ext4|qcow2 [--data-size MIB]] [--prune]

Builds (or reuses from the cache) the test guest kernel + initramfs.
  --out DIR          also copy vmlinuz, initrd.img, manifest.json and bin/ into DIR
                     (and create the data disk there); prints DIR instead of the cache dir
  --data-disk ext4   DIR/data.ext4: an ext4 image made with mke2fs -d (needs --out)
  --data-disk qcow2  DIR/data.qcow2: an empty thin qcow2 image (needs --out)
  --data-size MIB    data disk size in MiB (default 64); an existing disk is kept
  --prune            delete cached builds other than the one just built or reused
                     (do not use while VMs started from an older build may still run)
Environment:
  FERRY_CACHE            cache root (default /var/cache/ferry)
  FERRY_DEB_CACHE        where downloaded .deb files are kept (default \$FERRY_CACHE/debs)
  FERRY_KERNEL_PACKAGE   pin the kernel package, e.g. linux-image-6.1.0-56-cloud-amd64,
                         instead of following $KERNEL_META
EOF
}

OUT='' DATA_DISK='' DATA_SIZE=64 PRUNE=0
while [ $# -gt 0 ]; do
	case $1 in
	--out) OUT=${2:?--out needs a directory}; shift 2 ;;
	--data-disk) DATA_DISK=${2:?--data-disk needs ext4 or qcow2}; shift 2 ;;
	--data-size) DATA_SIZE=${2:?--data-size needs MiB}; shift 2 ;;
	--prune) PRUNE=1; shift ;;
	-h | --help) usage >&3; exit 0 ;;
	*) usage; exit 2 ;;
	esac
done
case $DATA_DISK in '' | ext4 | qcow2) ;; *) die "--data-disk must be ext4 or qcow2" ;; esac
case $DATA_SIZE in '' | *[!0-9]*) die "--data-size must be a whole number of MiB" ;; esac
[ "$DATA_SIZE" -gt 0 ] || die "--data-size must be positive"
[ -z "$DATA_DISK" ] || [ -n "$OUT" ] ||
	die "--data-disk needs --out DIR (data disks are per VM and never live in the shared cache)"
[ "$(id -u)" = 0 ] || die "must run as root (apt-get, mknod for /dev/console)"

# ---------------------------------------------------------------- packages
pkg_installed() { [ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null)" = "ii " ]; }
pkg_version() { dpkg-query -W -f='${Version}' "$1"; }

APT_UPDATED=0
apt_update() {
	[ $APT_UPDATED = 1 ] && return 0
	APT_UPDATED=1
	log "apt-get update"
	apt-get update -qq >/dev/null 2>&1
}

ensure_packages() {
	local missing=() p
	for p in "$@"; do pkg_installed "$p" || missing+=("$p"); done
	[ ${#missing[@]} = 0 ] && return 0
	log "installing ${missing[*]}"
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
		{ apt_update && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; } ||
		die "cannot install ${missing[*]}: the Debian package registry is unreachable or the packages are unknown"
}

# ------------------------------------------------------------------ kernel
# candidate PACKAGE: the version apt would install, empty if unknown.
candidate() {
	{ apt-cache show --no-all-versions "$1" 2>/dev/null || true; } | sed -n 's/^Version: //p' | head -n 1
}

# kernel_of_meta: the linux-image-<ver>-cloud-amd64 package the metapackage depends on.
kernel_of_meta() {
	{ apt-cache depends "$KERNEL_META" 2>/dev/null || true; } |
		sed -n 's/^ *Depends: *\(linux-image-[^ ]*-cloud-amd64\)$/\1/p' | head -n 1
}

# Sets KPKG (package name) and KPKG_VERSION, following the metapackage unless
# FERRY_KERNEL_PACKAGE pins one; updates the package lists once if they do not
# know the package. Offline without lists, falls back to a downloaded deb.
resolve_kernel() {
	local pin=${FERRY_KERNEL_PACKAGE:-} deb
	KPKG=${pin:-$(kernel_of_meta)}
	KPKG_VERSION=${KPKG:+$(candidate "$KPKG")}
	if [ -z "$KPKG_VERSION" ]; then
		apt_update || true
		KPKG=${pin:-$(kernel_of_meta)}
		KPKG_VERSION=${KPKG:+$(candidate "$KPKG")}
	fi
	[ -n "$KPKG_VERSION" ] && return 0
	deb=$({ ls -1 "$DEB_CACHE"/${pin:-linux-image-*-cloud-amd64}_*.deb 2>/dev/null || true; } | sort -V | tail -n 1)
	[ -n "$deb" ] || die "cannot resolve ${pin:-$KERNEL_META}: the Debian package registry is unreachable (or the package is unknown) and no such kernel is cached"
	KPKG=$(dpkg-deb -f "$deb" Package)
	KPKG_VERSION=$(dpkg-deb -f "$deb" Version)
	log "warning: package lists do not know the kernel, using the cached $KPKG $KPKG_VERSION"
}

# Sets KDEB to the cached .deb of KPKG/KPKG_VERSION, downloading it if needed.
fetch_kernel() {
	local name
	name="${KPKG}_${KPKG_VERSION//:/%3a}_amd64.deb"
	KDEB=$DEB_CACHE/$name
	[ -s "$KDEB" ] && dpkg-deb -f "$KDEB" Package >/dev/null 2>&1 && return 0
	mkdir -p "$DEB_CACHE"
	local tmp
	tmp=$(mktemp -d "$DEB_CACHE/.download.XXXXXX")
	log "downloading $KPKG $KPKG_VERSION"
	# apt-get download checks the file against the signed package lists.
	if ! (cd "$tmp" && apt-get download -qq -o APT::Sandbox::User=root "$KPKG=$KPKG_VERSION" >/dev/null 2>&1); then
		apt_update || true
		(cd "$tmp" && apt-get download -qq -o APT::Sandbox::User=root "$KPKG=$KPKG_VERSION" >/dev/null 2>&1) || {
			rm -rf "$tmp"
			die "cannot download $KPKG $KPKG_VERSION: the Debian package registry is unreachable"
		}
	fi
	mv -f "$tmp"/*.deb "$KDEB"
	rm -rf "$tmp"
}

# ------------------------------------------------------------------ inputs
input_hash() {
	{
		echo "kernel $KPKG $KPKG_VERSION"
		echo "busybox-static $(pkg_version busybox-static)"
		echo "gcc $(gcc -dumpfullversion) libc6-dev $(pkg_version libc6-dev)"
		echo "modules $WANTED_MODULES"
		# Only what goes into the image: test scripts may change without a rebuild.
		(cd "$HERE" && { echo build-image.sh; find rootfs -type f; ls tools/Makefile tools/*.[ch]; } |
			sort | xargs sha256sum)
	} | sha256sum | cut -c1-16
}

# ------------------------------------------------------------------- build
# build_into DIR: extracts the kernel, builds the initramfs; fills DIR.
build_into() {
	local dst=$1 work=$1/.work
	mkdir -p "$work/deb" "$work/root" "$dst/bin"
	dpkg-deb -x "$KDEB" "$work/deb"
	local vmlinuz krel
	vmlinuz=$(ls -1 "$work"/deb/boot/vmlinuz-* | head -n 1)
	[ -f "$vmlinuz" ] || die "$KPKG has no boot/vmlinuz-*"
	krel=${vmlinuz##*/vmlinuz-}
	KREL=$krel
	cp "$vmlinuz" "$dst/vmlinuz"
	cp "$work/deb/boot/config-$krel" "$dst/kernel.config"

	# Modules: the virtio drivers, plus ext4 and crc32c if this kernel has them as modules.
	local moddir=$work/deb/lib/modules/$krel want=$WANTED_MODULES m
	for m in ext4 crc32c_generic; do
		grep -q "/$m\.ko" "$moddir/modules.builtin" || want="$want $m"
	done
	depmod -b "$work/deb" "$krel"
	local root=$work/root order=$work/modules.order
	: >"$order"
	for m in $want; do
		modprobe -d "$work/deb" -S "$krel" --show-depends "$m" |
			awk '$1 == "insmod" { print $2 }' |
			while read -r path; do
				rel=${path#"$moddir"/}
				grep -qxF "$rel" "$order" || echo "$rel" >>"$order"
			done
	done
	[ -s "$order" ] || die "no modules resolved for: $want"
	while read -r rel; do
		mkdir -p "$root/lib/modules/$krel/$(dirname "$rel")"
		case $rel in
		*.ko) cp "$moddir/$rel" "$root/lib/modules/$krel/$rel" ;;
		*) die "compressed module $rel is not supported (busybox insmod needs plain .ko)" ;;
		esac
	done <"$order"
	mkdir -p "$root/etc/ferry"
	cp "$order" "$root/etc/ferry/modules"
	MODULE_LIST=$(cat "$order")
	log "kernel $krel, modules: $(tr '\n' ' ' <"$order")"

	# Userland: busybox with its applet links, the tools, the init and CGI scripts.
	mkdir -p "$root/bin"
	cp /bin/busybox "$root/bin/busybox"
	local applet
	/bin/busybox --list-full | sed -n 's|/[^/]*$||p' | sort -u | (cd "$root" && xargs mkdir -p)
	/bin/busybox --list-full | while read -r applet; do
		case $applet in bin/busybox | linuxrc) continue ;; esac
		ln -s /bin/busybox "$root/$applet"
	done
	log "compiling tools"
	make -s -j"$(nproc)" -C "$HERE/tools" OUT="$dst/bin" >&2
	mkdir -p "$root/usr/bin"
	cp "$dst"/bin/ferry-* "$root/usr/bin/"
	cp -R "$HERE/rootfs/." "$root/"
	mkdir -p "$root"/{dev,proc,sys,run,tmp,root,mnt,var}
	mknod -m 600 "$root/dev/console" c 5 1
	mknod -m 666 "$root/dev/null" c 1 3

	# Normalise everything that could differ between two builds.
	find "$root" -type d -exec chmod 0755 {} +
	find "$root" -type f -exec chmod 0644 {} +
	chmod 0755 "$root/init" "$root/bin/busybox" "$root"/usr/bin/ferry-* "$root"/www/cgi-bin/* \
		"$root"/etc/acpi/*/*/*
	chmod 1777 "$root/tmp"
	find "$root" -exec touch -h -d @0 {} +
	(cd "$root" && find . -mindepth 1 | sed 's|^\./||' | sort |
		busybox cpio -o -H newc -R 0:0 --ignore-devno --renumber-inodes 2>/dev/null) |
		gzip -n -9 >"$dst/initrd.img"
	rm -rf "$work"
}

# write_manifest DIR: manifest.json describing the build in DIR (no timestamps:
# two builds of the same inputs give the same manifest).
write_manifest() {
	local dir=$1 first=1 f mods
	mods=$(echo "$MODULE_LIST" | sed 's/.*/"&"/' | paste -sd, -)
	{
		printf '{\n  "format": 1,\n  "inputsHash": "%s",\n' "$HASH"
		printf '  "kernel": {"package": "%s", "packageVersion": "%s", "release": "%s"},\n' \
			"$KPKG" "$KPKG_VERSION" "$KREL"
		printf '  "busybox": "%s",\n  "modules": [%s],\n  "files": [\n' "$(pkg_version busybox-static)" "$mods"
		(cd "$dir" && find . -type f ! -name manifest.json | sed 's|^\./||' | sort) | while read -r f; do
			[ $first = 1 ] || printf ',\n'
			first=0
			printf '    {"path": "%s", "bytes": %s, "sha256": "%s"}' "$f" \
				"$(stat -c %s "$dir/$f")" "$(sha256sum "$dir/$f" | cut -d' ' -f1)"
		done
		printf '\n  ]\n}\n'
	} >"$dir/manifest.json"
}

# ------------------------------------------------------------------- main
START_MS=$(date +%s%3N)
mkdir -p "$GUEST_CACHE"
# One build at a time per cache; a second caller waits, then finds the result.
exec 9>"$GUEST_CACHE/.lock"
flock 9

pkgs=(busybox-static kmod gcc libc6-dev make)
[ "$DATA_DISK" = ext4 ] && pkgs+=(e2fsprogs)
[ "$DATA_DISK" = qcow2 ] && pkgs+=(qemu-utils)
ensure_packages "${pkgs[@]}"

resolve_kernel
HASH=$(input_hash)
DIR=$GUEST_CACHE/$HASH
if [ -f "$DIR/manifest.json" ]; then
	log "up to date: $DIR"
else
	fetch_kernel
	log "building $HASH ($KPKG $KPKG_VERSION)"
	TMP=$(mktemp -d "$GUEST_CACHE/.build.XXXXXX")
	chmod 0755 "$TMP"
	trap 'rm -rf "$TMP"' EXIT
	build_into "$TMP"
	write_manifest "$TMP"
	rm -rf "$DIR"
	mv -T "$TMP" "$DIR"
	trap - EXIT
	log "built in $(($(date +%s%3N) - START_MS)) ms: $DIR"
fi
ln -sfn "$HASH" "$GUEST_CACHE/.current.$$"
mv -T "$GUEST_CACHE/.current.$$" "$GUEST_CACHE/current"
if [ $PRUNE = 1 ]; then
	for old in "$GUEST_CACHE"/*/; do
		old=${old%/}
		[ "${old##*/}" = "$HASH" ] || [ -L "$old" ] || { log "pruning $old"; rm -rf "$old"; }
	done
fi

RESULT=$DIR
if [ -n "$OUT" ]; then
	mkdir -p "$OUT/bin"
	for f in vmlinuz initrd.img manifest.json kernel.config bin/ferry-dirty bin/ferry-diskwrite \
		bin/ferry-diskverify bin/ferry-echod bin/ferry-probe; do
		cp -f "$DIR/$f" "$OUT/$f.tmp.$$"
		mv -f "$OUT/$f.tmp.$$" "$OUT/$f"
	done
	case $DATA_DISK in
	ext4)
		if [ -e "$OUT/data.ext4" ]; then
			log "keeping existing $OUT/data.ext4"
		else
			seed=$(mktemp -d)
			printf 'Ferry test data disk.\n' >"$seed/README"
			mkdir -p "$seed/data"
			truncate -s "${DATA_SIZE}M" "$OUT/data.ext4.tmp.$$"
			mke2fs -q -F -t ext4 -L ferry-data -d "$seed" -E root_owner=0:0 "$OUT/data.ext4.tmp.$$"
			rm -rf "$seed"
			mv -f "$OUT/data.ext4.tmp.$$" "$OUT/data.ext4"
			log "created $OUT/data.ext4 (${DATA_SIZE} MiB)"
		fi
		;;
	qcow2)
		if [ -e "$OUT/data.qcow2" ]; then
			log "keeping existing $OUT/data.qcow2"
		else
			qemu-img create -q -f qcow2 "$OUT/data.qcow2.tmp.$$" "${DATA_SIZE}M"
			mv -f "$OUT/data.qcow2.tmp.$$" "$OUT/data.qcow2"
			log "created $OUT/data.qcow2 (${DATA_SIZE} MiB, thin)"
		fi
		;;
	esac
	RESULT=$(cd "$OUT" && pwd)
fi
echo "$RESULT" >&3
