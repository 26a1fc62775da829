/*
 * ferry-dirty - dirties guest memory at a steady rate, to load a live migration.
 *
 *   ferry-dirty WSS_MIB RATE_MIBPS
 *
 * Allocates WSS_MIB MiB, touches every page once, then walks the working set
 * cyclically writing one 8-byte value per 4 KiB page. Each write dirties one
 * page, so RATE_MIBPS MiB/s means RATE_MIBPS * 256 page writes per second.
 * Writes are issued in 10 ms slices paced by absolute deadlines; a slice that
 * falls behind is not made up later (no bursts after a stall, e.g. while the
 * guest is paused for switchover). RATE 0 writes as fast as one vCPU allows.
 *
 * The value written is a counter that never repeats within a pass, so pages
 * never become zero pages or identical to their previous content.
 * Every 10 s a line with the achieved rate goes to stdout. Runs until killed.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "ferry-util.h"

#define PAGE 4096u
#define SLICE_NS (10 * NS_PER_MS)
#define REPORT_NS (10 * NS_PER_SEC)

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ferry-dirty WSS_MIB RATE_MIBPS\n"
		"  Allocates WSS_MIB MiB and dirties it at RATE_MIBPS MiB/s (one write per\n"
		"  4 KiB page, paced in 10 ms slices). RATE_MIBPS 0 = as fast as possible.\n"
		"  Both may be fractional. Prints the achieved rate every 10 s; runs until killed.\n");
}

int main(int argc, char **argv)
{
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	double wss_mib, rate_mibps;
	if (argc != 3 || parse_nonneg(argv[1], &wss_mib) || parse_nonneg(argv[2], &rate_mibps) ||
	    wss_mib <= 0 || wss_mib > 1024.0 * 1024) {
		usage(stderr);
		return 2;
	}

	uint64_t pages = (uint64_t)(wss_mib * 256.0);
	if (pages == 0)
		pages = 1;
	size_t len = (size_t)(pages * PAGE);
	uint8_t *mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		perror("ferry-dirty: mmap");
		return 1;
	}
	/* Fault every page in now so the first pass measures dirtying, not allocation. */
	for (uint64_t p = 0; p < pages; p++)
		mem[p * PAGE] = 1;

	printf("ferry-dirty: wss=%.1f MiB (%llu pages) rate=%.1f MiB/s%s\n", wss_mib,
	       (unsigned long long)pages, rate_mibps, rate_mibps == 0 ? " (unlimited)" : "");
	fflush(stdout);

	double pages_per_slice = rate_mibps * 256.0 * ((double)SLICE_NS / NS_PER_SEC);
	double carry = 0;
	uint64_t cursor = 0, counter = 1, written = 0;
	uint64_t now = mono_ns(), deadline = now, report_at = now + REPORT_NS, report_base = now;

	for (;;) {
		uint64_t n;
		if (rate_mibps == 0) {
			n = 4096;
		} else {
			carry += pages_per_slice;
			n = (uint64_t)carry;
			carry -= (double)n;
		}
		for (uint64_t i = 0; i < n; i++) {
			/* Spread the word offset inside the page too; any byte dirties the page. */
			volatile uint64_t *w = (volatile uint64_t *)(mem + cursor * PAGE + (counter & 511) * 8);
			*w = counter++;
			if (++cursor == pages)
				cursor = 0;
		}
		written += n;

		now = mono_ns();
		if (now >= report_at) {
			double secs = (double)(now - report_base) / NS_PER_SEC;
			printf("ferry-dirty: achieved %.1f MiB/s over %.1f s\n",
			       (double)written / 256.0 / secs, secs);
			fflush(stdout);
			written = 0;
			report_base = now;
			report_at = now + REPORT_NS;
		}
		if (rate_mibps == 0)
			continue;
		deadline += SLICE_NS;
		if (deadline + SLICE_NS < now)
			deadline = now; /* fell behind (stall or too slow): drop the backlog */
		else
			sleep_until_ns(deadline);
	}
}
