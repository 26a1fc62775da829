/*
 * ferry-echod - timestamped echo service run inside the test guest; the
 * outage probe (ferry-probe) and TCP clients talk to it during migrations.
 *
 *   ferry-echod [--port 7777]
 *
 * UDP: each datagram is answered with its own payload followed by 16 bytes:
 *      the guest CLOCK_MONOTONIC time in ns and a reply counter, both
 *      big-endian u64. Payloads too long to fit are truncated.
 * TCP: every line received on a connection is sent back as
 *      "<guest monotonic ms> <per-connection line counter> <line>\n".
 *      A client that does not read its replies (send buffer full) is dropped.
 *
 * One poll() loop serves the UDP socket, the listener and up to MAX_CLIENTS
 * TCP connections, so it never blocks on a single peer.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ferry-util.h"

#define MAX_CLIENTS 256
#define LINE_MAX_LEN 4096
#define UDP_MAX 65507

struct client {
	int fd;
	size_t len;
	uint64_t counter;
	char buf[LINE_MAX_LEN];
};

static struct client clients[MAX_CLIENTS];

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ferry-echod [--port PORT]\n"
		"  UDP PORT: replies payload + guest monotonic ns (BE u64) + reply counter (BE u64).\n"
		"  TCP PORT: echoes each line as \"<monotonic ms> <counter> <line>\".\n"
		"  Default port 7777.\n");
}

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static int open_socket(int type, uint16_t port)
{
	int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (type == SOCK_DGRAM) {
		/* Room for a few hundred ms of probes while this process is not scheduled. */
		int rcvbuf = 1 << 20;
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
	}
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_ANY) };
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
	    (type == SOCK_STREAM && listen(fd, 64) != 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

static void drop_client(struct client *c)
{
	close(c->fd);
	c->fd = -1;
	c->len = 0;
}

/* Sends one timestamped line; returns -1 when the client must be dropped. */
static int reply_line(struct client *c, const char *line, size_t n)
{
	char out[LINE_MAX_LEN + 64];
	int h = snprintf(out, sizeof out, "%llu %llu ", (unsigned long long)(mono_ns() / NS_PER_MS),
			 (unsigned long long)++c->counter);
	memcpy(out + h, line, n);
	out[h + n] = '\n';
	size_t total = (size_t)h + n + 1;
	ssize_t w = send(c->fd, out, total, MSG_NOSIGNAL | MSG_DONTWAIT);
	return w == (ssize_t)total ? 0 : -1;
}

static void serve_client(struct client *c)
{
	ssize_t r = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, MSG_DONTWAIT);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		if (c->len > 0)
			reply_line(c, c->buf, c->len); /* last line without newline */
		drop_client(c);
		return;
	}
	c->len += (size_t)r;
	size_t start = 0;
	for (size_t i = 0; i < c->len; i++) {
		if (c->buf[i] != '\n')
			continue;
		size_t n = i - start;
		if (n > 0 && c->buf[start + n - 1] == '\r')
			n--;
		if (reply_line(c, c->buf + start, n) != 0) {
			drop_client(c);
			return;
		}
		start = i + 1;
	}
	memmove(c->buf, c->buf + start, c->len - start);
	c->len -= start;
	if (c->len == sizeof c->buf) {
		/* An over-long line is answered in pieces rather than stalling. */
		if (reply_line(c, c->buf, c->len) != 0) {
			drop_client(c);
			return;
		}
		c->len = 0;
	}
}

static void serve_udp(int fd, uint64_t *counter)
{
	static uint8_t buf[UDP_MAX + 1];
	for (int burst = 0; burst < 64; burst++) {
		struct sockaddr_storage from;
		socklen_t fl = sizeof from;
		ssize_t r = recvfrom(fd, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
		if (r < 0)
			return;
		size_t n = (size_t)r > UDP_MAX - 16 ? UDP_MAX - 16 : (size_t)r;
		put_be64(buf + n, mono_ns());
		put_be64(buf + n + 8, ++*counter);
		sendto(fd, buf, n + 16, MSG_DONTWAIT, (struct sockaddr *)&from, fl);
	}
}

int main(int argc, char **argv)
{
	uint64_t port = 7777;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--port") && i + 1 < argc && !parse_u64(argv[i + 1], &port) &&
			   port > 0 && port < 65536) {
			i++;
		} else {
			usage(stderr);
			return 2;
		}
	}
	signal(SIGPIPE, SIG_IGN);

	int ufd = open_socket(SOCK_DGRAM, (uint16_t)port);
	int lfd = open_socket(SOCK_STREAM, (uint16_t)port);
	if (ufd < 0 || lfd < 0) {
		fprintf(stderr, "ferry-echod: bind port %llu: %s\n", (unsigned long long)port,
			strerror(errno));
		return 1;
	}
	for (int i = 0; i < MAX_CLIENTS; i++)
		clients[i].fd = -1;
	fprintf(stderr, "ferry-echod: listening on udp+tcp port %llu\n", (unsigned long long)port);

	uint64_t udp_counter = 0;
	struct pollfd pfd[2 + MAX_CLIENTS];
	int owner[2 + MAX_CLIENTS];
	for (;;) {
		int n = 0;
		pfd[n++] = (struct pollfd){ .fd = ufd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		for (int i = 0; i < MAX_CLIENTS; i++) {
			if (clients[i].fd < 0)
				continue;
			owner[n] = i;
			pfd[n++] = (struct pollfd){ .fd = clients[i].fd, .events = POLLIN };
		}
		if (poll(pfd, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("ferry-echod: poll");
			return 1;
		}
		if (pfd[0].revents)
			serve_udp(ufd, &udp_counter);
		if (pfd[1].revents & POLLIN) {
			int cfd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
			if (cfd >= 0) {
				int slot = -1;
				for (int i = 0; i < MAX_CLIENTS && slot < 0; i++)
					if (clients[i].fd < 0)
						slot = i;
				if (slot < 0) {
					close(cfd); /* full: refuse rather than starve the others */
				} else {
					clients[slot].fd = cfd;
					clients[slot].len = 0;
					clients[slot].counter = 0;
				}
			}
		}
		for (int k = 2; k < n; k++)
			if (pfd[k].revents)
				serve_client(&clients[owner[k]]);
	}
}
