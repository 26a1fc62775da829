/*
 * ferry-probe - measures the outage a client sees while a guest migrates.
 *
 *   ferry-probe --target IP [--port 7777] [--interval-us 1000] [--duration-ms N]
 *               [--wait-first-ms N] [--gap-threshold-ms 5] [--drain-ms 300]
 *
 * Runs on the host side (in a client network namespace) against ferry-echod
 * in the guest. A sender thread sends one UDP datagram per interval, paced by
 * clock_nanosleep on absolute CLOCK_MONOTONIC deadlines; a receiver thread
 * timestamps the replies. The main thread only waits for the end (duration
 * reached, or SIGINT/SIGTERM) and prints one JSON object on stdout.
 *
 * Datagram (24 bytes, big-endian): "FPRB", 4 zero bytes, seq u64, send time
 * u64 (host monotonic ns). ferry-echod appends 16 bytes and returns it, so
 * the round-trip time needs no per-seq state here.
 *
 * The headline figure is maxGapMs: the longest time between two consecutive
 * replies received, i.e. the outage a user sees. tailGapMs is the time from
 * the last reply to the end of sending, which matters when the guest never
 * came back. With --wait-first-ms the measurement window starts at the first
 * reply (warm-up datagrams are not counted); no reply in time -> exit 3.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ferry-util.h"

#define PKT_LEN 24
#define REPLY_LEN (PKT_LEN + 16)
#define GAPS_KEPT 10000

enum phase { WAIT_FIRST, MEASURE, DRAIN, DONE };

struct gap {
	uint64_t start_ns; /* receive time of the reply before the gap */
	uint64_t len_ns;
};

/* Shared between threads; the receiver owns everything below "receiver-only". */
static struct {
	int fd;
	uint64_t interval_ns;
	uint64_t gap_threshold_ns;
	atomic_int phase;
	atomic_uint_fast64_t next_seq;  /* first seq not sent yet (sender) */
	atomic_uint_fast64_t start_seq; /* first seq of the measurement window */
	atomic_uint_fast64_t t0_ns;     /* start of the measurement window */
	atomic_uint_fast64_t received;
	atomic_uint_fast64_t late_sends; /* deadlines missed by more than one interval */

	/* receiver-only */
	uint8_t *seen;
	uint64_t seen_bytes;
	uint64_t duplicates;
	uint64_t first_reply_ns, last_reply_ns;
	uint64_t max_gap_ns;
	uint32_t *rtt_us;
	uint64_t rtt_n, rtt_cap;
	struct gap *gaps;
	uint64_t gaps_n;
} P;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ferry-probe --target IP [--port 7777] [--interval-us 1000] [--duration-ms N]\n"
		"                   [--wait-first-ms N] [--gap-threshold-ms 5] [--drain-ms 300]\n"
		"  Sends a UDP datagram to ferry-echod every interval and reports, as one JSON\n"
		"  object, sent/received/lost, maxGapMs (longest time between consecutive replies),\n"
		"  RTT percentiles and the gaps above the threshold. Ends after --duration-ms or on\n"
		"  SIGINT/SIGTERM. --wait-first-ms waits for a first reply before measuring (exit 3\n"
		"  if none comes). IP must be a numeric IPv4 address.\n");
}

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t get_be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

static void *sender(void *arg)
{
	(void)arg;
	uint8_t pkt[PKT_LEN] = { 'F', 'P', 'R', 'B' };
	uint64_t seq = atomic_load(&P.next_seq), deadline = mono_ns();
	while (atomic_load(&P.phase) < DRAIN) {
		put_be64(pkt + 8, seq);
		put_be64(pkt + 16, mono_ns());
		/* Errors (e.g. ECONNREFUSED from an ICMP while the guest is away) are expected. */
		send(P.fd, pkt, sizeof pkt, MSG_DONTWAIT);
		atomic_store(&P.next_seq, ++seq);

		deadline += P.interval_ns;
		uint64_t now = mono_ns();
		if (now > deadline + P.interval_ns) {
			/* Stalled: skip the missed slots instead of sending a burst. */
			atomic_fetch_add(&P.late_sends, 1);
			deadline = now;
			continue;
		}
		while (sleep_until_ns(deadline) == EINTR)
			;
	}
	return NULL;
}

static int grow(void **p, uint64_t *cap, uint64_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	uint64_t n = *cap ? *cap : 4096;
	while (n < need)
		n *= 2;
	void *q = realloc(*p, (size_t)(n * elem));
	if (!q)
		return -1;
	memset((uint8_t *)q + *cap * elem, 0, (size_t)((n - *cap) * elem));
	*p = q;
	*cap = n;
	return 0;
}

static void on_reply(const uint8_t *buf, uint64_t now)
{
	uint64_t seq = get_be64(buf + 8), sent_ns = get_be64(buf + 16);
	if (atomic_load(&P.phase) == WAIT_FIRST) {
		/* First sign of life: the window starts with the next datagram sent. */
		atomic_store(&P.start_seq, atomic_load(&P.next_seq));
		atomic_store(&P.t0_ns, now);
		atomic_store(&P.phase, MEASURE);
		/* Tells a harness that the guest answers and the window has begun. */
		fprintf(stderr, "ferry-probe: measuring\n");
		fflush(stderr);
		return;
	}
	uint64_t start = atomic_load(&P.start_seq);
	if (seq < start || seq >= atomic_load(&P.next_seq))
		return; /* warm-up reply, or not ours */
	uint64_t idx = seq - start;
	if (grow((void **)&P.seen, &P.seen_bytes, idx / 8 + 1, 1) != 0)
		return;
	if (P.seen[idx / 8] & (1u << (idx % 8))) {
		P.duplicates++;
		return;
	}
	P.seen[idx / 8] |= (uint8_t)(1u << (idx % 8));
	atomic_fetch_add(&P.received, 1);

	if (grow((void **)&P.rtt_us, &P.rtt_cap, P.rtt_n + 1, sizeof *P.rtt_us) == 0) {
		uint64_t rtt = now > sent_ns ? (now - sent_ns) / 1000 : 0;
		P.rtt_us[P.rtt_n++] = rtt > UINT32_MAX ? UINT32_MAX : (uint32_t)rtt;
	}
	if (P.first_reply_ns == 0) {
		P.first_reply_ns = now;
	} else {
		uint64_t gap = now - P.last_reply_ns;
		if (gap > P.max_gap_ns)
			P.max_gap_ns = gap;
		if (gap > P.gap_threshold_ns && P.gaps_n < GAPS_KEPT)
			P.gaps[P.gaps_n++] = (struct gap){ P.last_reply_ns, gap };
	}
	P.last_reply_ns = now;
}

static void *receiver(void *arg)
{
	(void)arg;
	uint8_t buf[2048];
	struct pollfd pfd = { .fd = P.fd, .events = POLLIN };
	while (atomic_load(&P.phase) != DONE) {
		if (poll(&pfd, 1, 10) <= 0)
			continue;
		for (;;) {
			ssize_t r = recv(P.fd, buf, sizeof buf, MSG_DONTWAIT);
			if (r < 0 && errno == ECONNREFUSED)
				continue;
			if (r < 0)
				break;
			uint64_t now = mono_ns();
			if (r == REPLY_LEN && memcmp(buf, "FPRB", 4) == 0)
				on_reply(buf, now);
		}
	}
	return NULL;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static double ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

int main(int argc, char **argv)
{
	const char *target = NULL;
	uint64_t port = 7777, interval_us = 1000, duration_ms = 0, wait_first_ms = 0, drain_ms = 300;
	double gap_threshold_ms = 5;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		int bad = 0;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else if (!v) {
			bad = 1;
		} else if (!strcmp(a, "--target")) {
			target = v;
		} else if (!strcmp(a, "--port")) {
			bad = parse_u64(v, &port) || port == 0 || port > 65535;
		} else if (!strcmp(a, "--interval-us")) {
			bad = parse_u64(v, &interval_us) || interval_us < 50;
		} else if (!strcmp(a, "--duration-ms")) {
			bad = parse_u64(v, &duration_ms);
		} else if (!strcmp(a, "--wait-first-ms")) {
			bad = parse_u64(v, &wait_first_ms);
		} else if (!strcmp(a, "--gap-threshold-ms")) {
			bad = parse_nonneg(v, &gap_threshold_ms);
		} else if (!strcmp(a, "--drain-ms")) {
			bad = parse_u64(v, &drain_ms);
		} else {
			bad = 1;
		}
		if (bad) {
			usage(stderr);
			return 2;
		}
		i++;
	}
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	if (!target || inet_pton(AF_INET, target, &sa.sin_addr) != 1) {
		usage(stderr);
		return 2;
	}

	P.fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int rcvbuf = 4 << 20;
	if (P.fd < 0 || setsockopt(P.fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) != 0 ||
	    connect(P.fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		fprintf(stderr, "ferry-probe: socket to %s:%llu: %s\n", target, (unsigned long long)port,
			strerror(errno));
		return 2;
	}
	P.interval_ns = interval_us * 1000;
	P.gap_threshold_ns = (uint64_t)(gap_threshold_ms * 1e6);
	P.gaps = calloc(GAPS_KEPT, sizeof *P.gaps);
	if (!P.gaps)
		return 2;
	uint64_t begin = mono_ns();
	atomic_store(&P.next_seq, 1);
	atomic_store(&P.start_seq, 1);
	atomic_store(&P.t0_ns, begin);
	atomic_store(&P.phase, wait_first_ms ? WAIT_FIRST : MEASURE);

	/* Signals are taken synchronously by the main thread only. */
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	pthread_t ts, tr;
	if (pthread_create(&tr, NULL, receiver, NULL) != 0 ||
	    pthread_create(&ts, NULL, sender, NULL) != 0) {
		fprintf(stderr, "ferry-probe: cannot start threads\n");
		return 2;
	}

	const char *stopped_by = "duration";
	int rc = 0;
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	for (;;) {
		if (sigtimedwait(&sigs, NULL, &tick) > 0) {
			stopped_by = "signal";
			break;
		}
		uint64_t now = mono_ns();
		int ph = atomic_load(&P.phase);
		if (ph == WAIT_FIRST && now - begin >= wait_first_ms * NS_PER_MS) {
			stopped_by = "no-first-reply";
			rc = 3;
			break;
		}
		if (ph == MEASURE && duration_ms && now - atomic_load(&P.t0_ns) >= duration_ms * NS_PER_MS)
			break;
	}

	int measured = atomic_load(&P.phase) == MEASURE;
	atomic_store(&P.phase, DRAIN);
	pthread_join(ts, NULL);
	uint64_t stop_ns = mono_ns();
	uint64_t sent = measured ? atomic_load(&P.next_seq) - atomic_load(&P.start_seq) : 0;
	/* Give replies still in flight a moment; a second signal cuts this short. */
	uint64_t drain_end = stop_ns + drain_ms * NS_PER_MS;
	while (measured && atomic_load(&P.received) < sent && mono_ns() < drain_end)
		if (sigtimedwait(&sigs, NULL, &tick) > 0)
			break;
	atomic_store(&P.phase, DONE);
	pthread_join(tr, NULL);

	uint64_t t0 = atomic_load(&P.t0_ns), received = atomic_load(&P.received);
	double p50 = -1, p99 = -1, pmax = -1;
	if (P.rtt_n) {
		qsort(P.rtt_us, (size_t)P.rtt_n, sizeof *P.rtt_us, cmp_u32);
		p50 = P.rtt_us[(P.rtt_n - 1) / 2] / 1000.0;
		p99 = P.rtt_us[(P.rtt_n - 1) * 99 / 100] / 1000.0;
		pmax = P.rtt_us[P.rtt_n - 1] / 1000.0;
	}
	uint64_t tail = P.last_reply_ns && stop_ns > P.last_reply_ns ? stop_ns - P.last_reply_ns
	                : (P.last_reply_ns ? 0 : stop_ns - t0);

	printf("{\"target\":\"%s\",\"port\":%llu,\"intervalUs\":%llu,\"stoppedBy\":\"%s\","
	       "\"measuredMs\":%.3f,\"sent\":%llu,\"received\":%llu,\"lost\":%llu,\"duplicates\":%llu,"
	       "\"lateSends\":%llu,\"maxGapMs\":%.3f,\"tailGapMs\":%.3f,",
	       target, (unsigned long long)port, (unsigned long long)interval_us, stopped_by,
	       measured ? ms(stop_ns - t0) : 0.0, (unsigned long long)sent,
	       (unsigned long long)received,
	       (unsigned long long)(sent > received ? sent - received : 0),
	       (unsigned long long)P.duplicates, (unsigned long long)atomic_load(&P.late_sends),
	       ms(P.max_gap_ns), measured ? ms(tail) : 0.0);
	if (P.rtt_n)
		printf("\"rttP50Ms\":%.3f,\"rttP99Ms\":%.3f,\"rttMaxMs\":%.3f,", p50, p99, pmax);
	else
		printf("\"rttP50Ms\":null,\"rttP99Ms\":null,\"rttMaxMs\":null,");
	if (P.first_reply_ns)
		printf("\"firstReplyAtMs\":%.3f,\"lastReplyAtMs\":%.3f,", ms(P.first_reply_ns - t0),
		       ms(P.last_reply_ns - t0));
	else
		printf("\"firstReplyAtMs\":null,\"lastReplyAtMs\":null,");
	printf("\"gapThresholdMs\":%.3f,\"gapCount\":%llu,\"gaps\":[", gap_threshold_ms,
	       (unsigned long long)P.gaps_n);
	for (uint64_t i = 0; i < P.gaps_n; i++)
		printf("%s{\"startMs\":%.3f,\"ms\":%.3f}", i ? "," : "", ms(P.gaps[i].start_ns - t0),
		       ms(P.gaps[i].len_ns));
	printf("]}\n");
	return rc;
}
