/*
 * ferry-diskverify - proves that no acknowledged ferry-diskwrite write was
 * lost or corrupted.
 *
 *   ferry-diskverify DEVICE [--blocks N] [--ack-file PATH | --acked SEQ [--run HEX]]
 *
 * With A the last acknowledged seq (from the ack file, or given), every s in
 * [max(1, A-N+1), A] must be found at block s % N as a valid block carrying
 * seq s -- or carrying s+N when s+N == A+1, because the one write in flight
 * when the ack was taken may have landed. In addition, every block that
 * carries the magic must have a correct checksum, index and payload, and no
 * block of the run may carry a seq above A+1 (that would mean the disk is
 * newer than the acknowledgement state, i.e. RAM and disk disagree).
 *
 * With an ack file only blocks of its run id count as written by this run;
 * blocks left by earlier runs are ignored (but still checked for integrity).
 * With --acked and no --run, blocks of any run count.
 *
 * Output: one JSON line on stdout. Exit 0 when ok, 1 when not, 2 on a usage
 * or I/O error. Run it while the writer is stopped (or the guest paused).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/fs.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ferry-block.h"
#include "ferry-util.h"

#define CHUNK_BLOCKS 256u
#define LIST_MAX 10u

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ferry-diskverify DEVICE [--blocks N] [--ack-file PATH | --acked SEQ [--run HEX]]\n"
		"  Checks the ferry-diskwrite ring on DEVICE against the last acknowledged seq.\n"
		"  --ack-file PATH  read seq, ring size and run id from the writer's ack file\n"
		"                   (default %s)\n"
		"  --acked SEQ      last acknowledged seq given directly (no run id filter unless --run)\n"
		"  --run HEX        only blocks of this run id count as written\n"
		"  --blocks N       ring size (default: from the ack file, else %u)\n"
		"  Prints one JSON line; exit 0 ok, 1 lost/corrupt writes found, 2 usage or I/O error.\n",
		FB_DEFAULT_ACK_FILE, FB_DEFAULT_BLOCKS);
}

static int fail(const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "ferry-diskverify: %s\n", msg);
	/* The message is ours; keep it JSON-safe by replacing quotes and backslashes. */
	for (char *p = msg; *p; p++)
		if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20)
			*p = '\'';
	printf("{\"ok\":false,\"error\":\"%s\"}\n", msg);
	return 2;
}

/* A JSON array that keeps the first LIST_MAX entries and counts the rest. */
struct list {
	char buf[LIST_MAX * 96];
	size_t len;
	uint64_t count;
};

static void list_add(struct list *l, const char *fmt, ...)
{
	if (l->count++ >= LIST_MAX)
		return;
	char item[96];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(item, sizeof item, fmt, ap);
	va_end(ap);
	l->len += (size_t)snprintf(l->buf + l->len, sizeof l->buf - l->len, "%s%s",
				   l->count > 1 ? "," : "", item);
}

int main(int argc, char **argv)
{
	const char *dev = NULL, *ack_path = NULL;
	uint64_t ring = 0, acked = 0, run = 0;
	int have_acked = 0, have_run = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--blocks") && v) {
			if (parse_u64(v, &ring) || ring == 0)
				goto bad;
			i++;
		} else if (!strcmp(a, "--ack-file") && v) {
			ack_path = v;
			i++;
		} else if (!strcmp(a, "--acked") && v) {
			if (parse_u64(v, &acked))
				goto bad;
			have_acked = 1;
			i++;
		} else if (!strcmp(a, "--run") && v) {
			char *end;
			run = strtoull(v, &end, 16);
			if (!*v || *end)
				goto bad;
			have_run = 1;
			i++;
		} else if (a[0] != '-' && !dev) {
			dev = a;
		} else {
			goto bad;
		}
	}
	if (!dev || (have_acked && ack_path) || (have_run && !have_acked))
		goto bad;

	if (!have_acked) {
		struct fb_ack ack;
		if (!ack_path)
			ack_path = FB_DEFAULT_ACK_FILE;
		if (fb_read_ack(ack_path, &ack) != 0)
			return fail("ack file %s: %s", ack_path, strerror(errno));
		if (ring && ack.blocks != ring)
			return fail("--blocks %llu but the ack file says blocks=%llu",
				    (unsigned long long)ring, (unsigned long long)ack.blocks);
		ring = ack.blocks;
		acked = ack.seq;
		run = ack.run;
		have_run = 1;
	}
	if (!ring)
		ring = FB_DEFAULT_BLOCKS;

	int fd = open(dev, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (fd < 0 && errno == EINVAL)
		fd = open(dev, O_RDONLY | O_CLOEXEC); /* tmpfs: no O_DIRECT */
	if (fd < 0)
		return fail("open %s: %s", dev, strerror(errno));

	uint8_t *buf;
	uint8_t *status = calloc(ring, 1);
	uint8_t *ours = calloc(ring, 1);
	uint64_t *seqs = calloc(ring, sizeof *seqs);
	if (posix_memalign((void **)&buf, FB_BLOCK_SIZE, CHUNK_BLOCKS * FB_BLOCK_SIZE) != 0 ||
	    !status || !ours || !seqs)
		return fail("out of memory for %llu blocks", (unsigned long long)ring);
	fb_crc_init();

	struct list missing = { 0 }, corrupt = { 0 }, stale = { 0 }, ahead = { 0 };

	/* Pass 1: read the whole ring once and classify every block. */
	for (uint64_t base = 0; base < ring; base += CHUNK_BLOCKS) {
		uint64_t n = ring - base < CHUNK_BLOCKS ? ring - base : CHUNK_BLOCKS;
		size_t want = (size_t)(n * FB_BLOCK_SIZE), got = 0;
		while (got < want) {
			ssize_t r = pread(fd, buf + got, want - got, (off_t)(base * FB_BLOCK_SIZE + got));
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0)
				return fail("read %s at block %llu: %s", dev,
					    (unsigned long long)(base + got / FB_BLOCK_SIZE), strerror(errno));
			if (r == 0)
				return fail("%s ends at block %llu, ring has %llu blocks", dev,
					    (unsigned long long)(base + got / FB_BLOCK_SIZE),
					    (unsigned long long)ring);
			got += (size_t)r;
		}
		for (uint64_t k = 0; k < n; k++) {
			uint64_t idx = base + k, bseq = 0, brun = 0, bring = 0;
			enum fb_status st = fb_check_block(buf + k * FB_BLOCK_SIZE, idx, &bseq, &brun, &bring);
			int mine = st == FB_VALID && (!have_run || brun == run);
			if (mine && bring != ring) {
				list_add(&corrupt, "{\"block\":%llu,\"reason\":\"ring %llu\"}",
					 (unsigned long long)idx, (unsigned long long)bring);
				st = FB_BAD_INDEX;
				mine = 0;
			} else if (st != FB_VALID && st != FB_EMPTY) {
				list_add(&corrupt, "{\"block\":%llu,\"reason\":\"%s\"}",
					 (unsigned long long)idx, fb_status_name(st));
			}
			status[idx] = (uint8_t)st;
			ours[idx] = (uint8_t)mine;
			seqs[idx] = bseq;
			if (mine && bseq > acked + 1)
				list_add(&ahead, "{\"block\":%llu,\"seq\":%llu}", (unsigned long long)idx,
					 (unsigned long long)bseq);
		}
	}
	close(fd);

	/* Pass 2: every acknowledged seq still inside the ring must be present. */
	uint64_t lo = acked >= ring ? acked - ring + 1 : 1, checked = 0;
	int inflight = 0;
	for (uint64_t s = lo; s <= acked && acked > 0; s++) {
		uint64_t idx = s % ring;
		checked++;
		if (status[idx] != FB_VALID && status[idx] != FB_EMPTY)
			continue; /* already listed as corrupt */
		if (!ours[idx]) {
			list_add(&missing, "{\"seq\":%llu,\"block\":%llu}", (unsigned long long)s,
				 (unsigned long long)idx);
		} else if (seqs[idx] == s) {
			/* present */
		} else if (seqs[idx] == s + ring && s + ring == acked + 1) {
			inflight = 1;
		} else {
			list_add(&stale, "{\"seq\":%llu,\"block\":%llu,\"found\":%llu}", (unsigned long long)s,
				 (unsigned long long)idx, (unsigned long long)seqs[idx]);
		}
	}
	if (!inflight) {
		uint64_t idx = (acked + 1) % ring;
		inflight = ours[idx] && seqs[idx] == acked + 1;
	}

	int ok = !missing.count && !corrupt.count && !stale.count && !ahead.count;
	char runbuf[24] = "null";
	if (have_run)
		snprintf(runbuf, sizeof runbuf, "\"%016llx\"", (unsigned long long)run);
	printf("{\"ok\":%s,\"acked\":%llu,\"blocks\":%llu,\"run\":%s,\"checked\":%llu,\"inflight\":%s,"
	       "\"missing\":[%s],\"corrupt\":[%s],\"stale\":[%s],\"ahead\":[%s],"
	       "\"missingCount\":%llu,\"corruptCount\":%llu,\"staleCount\":%llu,\"aheadCount\":%llu}\n",
	       ok ? "true" : "false", (unsigned long long)acked, (unsigned long long)ring, runbuf,
	       (unsigned long long)checked, inflight ? "true" : "false", missing.buf, corrupt.buf,
	       stale.buf, ahead.buf, (unsigned long long)missing.count,
	       (unsigned long long)corrupt.count, (unsigned long long)stale.count,
	       (unsigned long long)ahead.count);
	return ok ? 0 : 1;

bad:
	usage(stderr);
	return 2;
}
