/*
 * ferry-block.h - the on-disk block format and ack file shared by
 * ferry-diskwrite (producer) and ferry-diskverify (checker).
 *
 * The ring on the device is N blocks of FB_BLOCK_SIZE bytes; the block with
 * sequence number seq (1, 2, 3, ...) lives at index seq % N.
 *
 * Block layout, all integers little-endian:
 *   off  size  field
 *     0     8  magic "FERRYBLK"
 *     8     4  format version (FB_VERSION)
 *    12     4  header size (FB_HEADER_SIZE)
 *    16     8  seq
 *    24     8  block index (must equal seq % ring_blocks)
 *    32     8  ring_blocks (N of the writer that produced it)
 *    40     8  run id (random per writer start; tells runs apart)
 *    48     4  CRC32C of the whole block with this field set to zero
 *    52    12  reserved, zero
 *    64  4032  payload, a pseudo-random stream seeded from seq only
 *
 * The checksum covers the header too, so a flipped seq or index is reported
 * as corruption rather than as a stale block.
 *
 * Ack file (one line, replaced atomically by write-to-temp + rename):
 *   seq=<last durable seq> blocks=<N> run=<16 hex digits> dev=<path>
 * seq=0 is written before the first block of a run.
 */
#ifndef FERRY_BLOCK_H
#define FERRY_BLOCK_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FB_BLOCK_SIZE 4096u
#define FB_HEADER_SIZE 64u
#define FB_VERSION 1u
#define FB_MAGIC "FERRYBLK"
#define FB_DEFAULT_BLOCKS 4096u
#define FB_DEFAULT_ACK_FILE "/run/ferry-diskwrite.ack"

#define FB_OFF_VERSION 8
#define FB_OFF_HDRSIZE 12
#define FB_OFF_SEQ 16
#define FB_OFF_INDEX 24
#define FB_OFF_RING 32
#define FB_OFF_RUN 40
#define FB_OFF_CRC 48

static inline void fb_put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void fb_put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint32_t fb_get_le32(const uint8_t *p)
{
	uint32_t v = 0;
	for (int i = 3; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static inline uint64_t fb_get_le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/* CRC32C (Castagnoli, reflected polynomial 0x82F63B78), table driven. */
static uint32_t fb_crc_table[256];

static inline void fb_crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
		fb_crc_table[i] = c;
	}
}

static inline uint32_t fb_crc32c_update(uint32_t c, const uint8_t *p, size_t n)
{
	while (n--)
		c = fb_crc_table[(c ^ *p++) & 0xFF] ^ (c >> 8);
	return c;
}

/* splitmix64: a tiny, well-mixed generator; the payload depends on seq only. */
static inline uint64_t fb_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static inline void fb_fill_payload(uint8_t *blk, uint64_t seq)
{
	uint64_t st = seq;
	for (unsigned off = FB_HEADER_SIZE; off < FB_BLOCK_SIZE; off += 8)
		fb_put_le64(blk + off, fb_splitmix64(&st));
}

static inline uint32_t fb_block_crc(const uint8_t *blk)
{
	/* CRC over the block with the CRC field read as zero. */
	static const uint8_t zero[4];
	uint32_t c = 0xFFFFFFFFu;
	c = fb_crc32c_update(c, blk, FB_OFF_CRC);
	c = fb_crc32c_update(c, zero, sizeof zero);
	c = fb_crc32c_update(c, blk + FB_OFF_CRC + 4, FB_BLOCK_SIZE - FB_OFF_CRC - 4);
	return c ^ 0xFFFFFFFFu;
}

static inline void fb_build_block(uint8_t *blk, uint64_t seq, uint64_t ring, uint64_t run)
{
	memset(blk, 0, FB_HEADER_SIZE);
	memcpy(blk, FB_MAGIC, 8);
	fb_put_le32(blk + FB_OFF_VERSION, FB_VERSION);
	fb_put_le32(blk + FB_OFF_HDRSIZE, FB_HEADER_SIZE);
	fb_put_le64(blk + FB_OFF_SEQ, seq);
	fb_put_le64(blk + FB_OFF_INDEX, seq % ring);
	fb_put_le64(blk + FB_OFF_RING, ring);
	fb_put_le64(blk + FB_OFF_RUN, run);
	fb_fill_payload(blk, seq);
	fb_put_le32(blk + FB_OFF_CRC, fb_block_crc(blk));
}

enum fb_status {
	FB_EMPTY = 0,     /* no magic: never written (or overwritten by something else) */
	FB_VALID,         /* header, checksum, index and payload all correct */
	FB_BAD_VERSION,   /* magic present, unknown format version or header size */
	FB_BAD_CHECKSUM,  /* magic present, CRC mismatch */
	FB_BAD_INDEX,     /* checksum fine but index field != position in the ring */
	FB_BAD_PAYLOAD,   /* checksum fine but payload is not the one for this seq */
};

static inline const char *fb_status_name(enum fb_status s)
{
	switch (s) {
	case FB_EMPTY: return "empty";
	case FB_VALID: return "valid";
	case FB_BAD_VERSION: return "version";
	case FB_BAD_CHECKSUM: return "checksum";
	case FB_BAD_INDEX: return "index";
	case FB_BAD_PAYLOAD: return "payload";
	}
	return "unknown";
}

/* Classifies the block found at ring position idx; fills *seq and *run when valid. */
static inline enum fb_status fb_check_block(const uint8_t *blk, uint64_t idx,
					    uint64_t *seq, uint64_t *run, uint64_t *ring)
{
	if (memcmp(blk, FB_MAGIC, 8) != 0)
		return FB_EMPTY;
	if (fb_get_le32(blk + FB_OFF_VERSION) != FB_VERSION ||
	    fb_get_le32(blk + FB_OFF_HDRSIZE) != FB_HEADER_SIZE)
		return FB_BAD_VERSION;
	if (fb_get_le32(blk + FB_OFF_CRC) != fb_block_crc(blk))
		return FB_BAD_CHECKSUM;
	*seq = fb_get_le64(blk + FB_OFF_SEQ);
	*run = fb_get_le64(blk + FB_OFF_RUN);
	*ring = fb_get_le64(blk + FB_OFF_RING);
	if (fb_get_le64(blk + FB_OFF_INDEX) != idx || *ring == 0 || *seq % *ring != idx)
		return FB_BAD_INDEX;
	uint64_t st = *seq;
	for (unsigned off = FB_HEADER_SIZE; off < FB_BLOCK_SIZE; off += 8)
		if (fb_get_le64(blk + off) != fb_splitmix64(&st))
			return FB_BAD_PAYLOAD;
	return FB_VALID;
}

struct fb_ack {
	uint64_t seq;
	uint64_t blocks;
	uint64_t run;
	char dev[256];
};

/* Replaces the ack file atomically: readers see the old or the new line, never a mix. */
static inline int fb_write_ack(const char *path, const struct fb_ack *a)
{
	char tmp[4096], line[512];
	int n = snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof tmp)
		return -1;
	n = snprintf(line, sizeof line, "seq=%llu blocks=%llu run=%016llx dev=%s\n",
		     (unsigned long long)a->seq, (unsigned long long)a->blocks,
		     (unsigned long long)a->run, a->dev);
	if (n < 0 || (size_t)n >= sizeof line)
		return -1;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if (write(fd, line, (size_t)n) != n) {
		int e = errno;
		close(fd);
		unlink(tmp);
		errno = e;
		return -1;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		int e = errno;
		unlink(tmp);
		errno = e;
		return -1;
	}
	return 0;
}

/* Returns 0 on success, -1 with errno set (EINVAL for a malformed file). */
static inline int fb_read_ack(const char *path, struct fb_ack *a)
{
	char line[512];
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	char *ok = fgets(line, sizeof line, f);
	fclose(f);
	if (!ok) {
		errno = EINVAL;
		return -1;
	}
	unsigned long long seq, blocks, run;
	memset(a, 0, sizeof *a);
	if (sscanf(line, "seq=%llu blocks=%llu run=%llx dev=%255s", &seq, &blocks, &run, a->dev) < 3) {
		errno = EINVAL;
		return -1;
	}
	a->seq = seq;
	a->blocks = blocks;
	a->run = run;
	return 0;
}

#endif
