/*
 * ferry-diskwrite - writes checksummed, sequence-numbered 4 KiB blocks into a
 * ring on a block device (or file) and records which writes are durable.
 *
 *   ferry-diskwrite DEVICE [--rate-mibps R] [--blocks N] [--ack-file PATH] [--count M]
 *
 * Write seq (1, 2, ...) goes to block seq % N; the format is in ferry-block.h.
 * A write is acknowledged only once it is durable: the device is opened with
 * O_DIRECT|O_DSYNC (or, where O_DIRECT is refused, written with pwrite and
 * then fdatasync). After each acknowledged write the ack file is replaced
 * atomically with the new last-acknowledged seq. Keep the ack file on tmpfs
 * (the default is under /run) so it lives in guest RAM and migrates with it:
 * after a migration, RAM and disk must agree, which ferry-diskverify checks.
 *
 * Every start is a new run with a random run id and seq restarting at 1; the
 * ack file is reset to seq=0 before the first block is written.
 * SIGTERM/SIGINT stop it cleanly after the current write (exit 0).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/fs.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ferry-block.h"
#include "ferry-util.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ferry-diskwrite DEVICE [--rate-mibps R] [--blocks N] [--ack-file PATH] [--count M]\n"
		"  Writes 4 KiB blocks sequentially into a ring of N blocks on DEVICE (a block\n"
		"  device or an existing file of at least N*4 KiB); block index = seq %% N.\n"
		"  --rate-mibps R   pace writes to R MiB/s (default 0 = as fast as durable writes go)\n"
		"  --blocks N       ring size in blocks (default %u)\n"
		"  --ack-file PATH  last durable seq, replaced atomically (default %s)\n"
		"  --count M        stop after M writes (default: run until SIGTERM/SIGINT)\n",
		FB_DEFAULT_BLOCKS, FB_DEFAULT_ACK_FILE);
}

static uint64_t new_run_id(void)
{
	uint64_t id = 0;
	if (getrandom(&id, sizeof id, GRND_NONBLOCK) != (ssize_t)sizeof id) {
		/* Early boot without entropy: the clock and pid are distinct enough. */
		uint64_t st = mono_ns() ^ ((uint64_t)getpid() << 32);
		id = fb_splitmix64(&st);
	}
	return id ? id : 1;
}

static int device_size(int fd, uint64_t *size)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return -1;
	if (S_ISBLK(st.st_mode))
		return ioctl(fd, BLKGETSIZE64, size);
	if (S_ISREG(st.st_mode)) {
		*size = (uint64_t)st.st_size;
		return 0;
	}
	errno = EINVAL;
	return -1;
}

int main(int argc, char **argv)
{
	const char *dev = NULL, *ack_path = FB_DEFAULT_ACK_FILE;
	double rate = 0;
	uint64_t ring = FB_DEFAULT_BLOCKS, count = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--rate-mibps") && v) {
			if (parse_nonneg(v, &rate))
				goto bad;
			i++;
		} else if (!strcmp(a, "--blocks") && v) {
			if (parse_u64(v, &ring) || ring == 0)
				goto bad;
			i++;
		} else if (!strcmp(a, "--ack-file") && v) {
			ack_path = v;
			i++;
		} else if (!strcmp(a, "--count") && v) {
			if (parse_u64(v, &count))
				goto bad;
			i++;
		} else if (a[0] != '-' && !dev) {
			dev = a;
		} else {
			goto bad;
		}
	}
	if (!dev)
		goto bad;
	if (strlen(dev) >= sizeof(((struct fb_ack *)0)->dev)) {
		fprintf(stderr, "ferry-diskwrite: device path too long\n");
		return 2;
	}

	int direct = 1;
	int fd = open(dev, O_WRONLY | O_DIRECT | O_DSYNC | O_CLOEXEC);
	if (fd < 0 && errno == EINVAL) {
		/* tmpfs and some file systems refuse O_DIRECT: fall back to fdatasync. */
		direct = 0;
		fd = open(dev, O_WRONLY | O_CLOEXEC);
	}
	if (fd < 0) {
		fprintf(stderr, "ferry-diskwrite: open %s: %s\n", dev, strerror(errno));
		return 2;
	}
	uint64_t size;
	if (device_size(fd, &size) != 0) {
		fprintf(stderr, "ferry-diskwrite: %s: not a block device or regular file\n", dev);
		return 2;
	}
	if (size / FB_BLOCK_SIZE < ring) {
		fprintf(stderr, "ferry-diskwrite: %s holds %llu blocks, ring needs %llu\n", dev,
			(unsigned long long)(size / FB_BLOCK_SIZE), (unsigned long long)ring);
		return 2;
	}

	uint8_t *blk;
	if (posix_memalign((void **)&blk, FB_BLOCK_SIZE, FB_BLOCK_SIZE) != 0) {
		fprintf(stderr, "ferry-diskwrite: out of memory\n");
		return 2;
	}
	fb_crc_init();

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal; /* no SA_RESTART: a pacing sleep returns at once */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	struct fb_ack ack = { .seq = 0, .blocks = ring, .run = new_run_id() };
	strcpy(ack.dev, dev);
	if (fb_write_ack(ack_path, &ack) != 0) {
		fprintf(stderr, "ferry-diskwrite: ack file %s: %s\n", ack_path, strerror(errno));
		return 2;
	}
	fprintf(stderr, "ferry-diskwrite: dev=%s blocks=%llu run=%016llx rate=%.2f MiB/s durable=%s\n",
		dev, (unsigned long long)ring, (unsigned long long)ack.run, rate,
		direct ? "O_DIRECT|O_DSYNC" : "pwrite+fdatasync");

	/* Pacing: write k is due at t0 + k * period; a backlog over 1 s is dropped. */
	uint64_t period_ns = rate > 0 ? (uint64_t)((double)NS_PER_SEC / (rate * 256.0)) : 0;
	uint64_t due = mono_ns();
	int rc = 0;

	for (uint64_t seq = 1; !stop_requested && (count == 0 || seq <= count); seq++) {
		fb_build_block(blk, seq, ring, ack.run);
		off_t off = (off_t)((seq % ring) * FB_BLOCK_SIZE);
		ssize_t w;
		do {
			w = pwrite(fd, blk, FB_BLOCK_SIZE, off);
		} while (w < 0 && errno == EINTR);
		if (w != (ssize_t)FB_BLOCK_SIZE || (!direct && fdatasync(fd) != 0)) {
			fprintf(stderr, "ferry-diskwrite: write seq %llu: %s\n", (unsigned long long)seq,
				w < 0 || w == (ssize_t)FB_BLOCK_SIZE ? strerror(errno) : "short write");
			rc = 1;
			break;
		}
		ack.seq = seq;
		if (fb_write_ack(ack_path, &ack) != 0) {
			fprintf(stderr, "ferry-diskwrite: ack file %s: %s\n", ack_path, strerror(errno));
			rc = 1;
			break;
		}
		if (period_ns) {
			due += period_ns;
			uint64_t now = mono_ns();
			if (due + NS_PER_SEC < now)
				due = now;
			else
				sleep_until_ns(due);
		}
	}
	fprintf(stderr, "ferry-diskwrite: stopped, last acknowledged seq=%llu\n",
		(unsigned long long)ack.seq);
	close(fd);
	return rc;

bad:
	usage(stderr);
	return 2;
}
