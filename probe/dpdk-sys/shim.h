/* DPDK's fast paths are `static inline` in its headers, so no symbol exists to link against.
 * The shim compiles them once, as real functions with a `sigwatch_` prefix. */
#ifndef SIGWATCH_DPDK_SHIM_H
#define SIGWATCH_DPDK_SHIM_H

#include <stdint.h>

struct rte_mbuf;
struct rte_mempool;
struct rte_ring;

/* rte_errno (a per-lcore thread-local variable). */
int sigwatch_rte_errno(void);

/* rte_eth_rx_burst. */
uint16_t sigwatch_rx_burst(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t n);

/* rte_pktmbuf_free_bulk. */
void sigwatch_free_bulk(struct rte_mbuf **pkts, unsigned int n);

/* rte_pktmbuf_mtod and the first segment's length. */
const uint8_t *sigwatch_mbuf_data(const struct rte_mbuf *m, uint16_t *len);

/* Whether the mbuf has more than one segment (a frame longer than a buffer). */
int sigwatch_mbuf_is_chained(const struct rte_mbuf *m);

/* The whole frame's length over every segment (pkt_len). */
uint32_t sigwatch_mbuf_pkt_len(const struct rte_mbuf *m);

/* rte_pktmbuf_read of the whole frame: a pointer to its `len` bytes, in the mbuf when they
 * are contiguous, else copied into `buf` (which holds at least `len`); NULL when the mbuf
 * holds fewer. */
const uint8_t *sigwatch_mbuf_read(const struct rte_mbuf *m, uint32_t len, uint8_t *buf);

/* The scatter RX offload flag (a frame longer than a buffer arrives as a chain). */
uint64_t sigwatch_rx_offload_scatter(void);

/* Register the RX timestamp dynamic field; returns 0 and sets *offset and *flag, or -1. */
int sigwatch_rx_timestamp_register(int *offset, uint64_t *flag);

/* The RX timestamp of an mbuf when `flag` is set in its ol_flags, else 0. */
uint64_t sigwatch_mbuf_rx_timestamp(const struct rte_mbuf *m, int offset, uint64_t flag);

/* rte_lcore_id. */
unsigned int sigwatch_lcore_id(void);

/* rte_get_tsc_cycles and rte_get_tsc_hz. */
uint64_t sigwatch_tsc(void);
uint64_t sigwatch_tsc_hz(void);

/* Flags that are function-like macros in DPDK's headers: the RSS hash types sigwatch asks
 * for (IP, TCP, UDP, SCTP) and the RX timestamp offload. */
uint64_t sigwatch_rss_hash_types(void);
uint64_t sigwatch_rx_offload_timestamp(void);

/* Putting frames into a ring, as the net_ring PMD's RX queues read them (benchmarks and tests
 * feed a `net_ring` device this way): rte_ring_lookup, rte_pktmbuf_alloc_bulk,
 * rte_ring_enqueue_burst. */
struct rte_ring *sigwatch_ring_lookup(const char *name);
int sigwatch_mbuf_alloc_bulk(struct rte_mempool *pool, struct rte_mbuf **pkts, unsigned int n);
unsigned int sigwatch_ring_enqueue_burst(struct rte_ring *r, struct rte_mbuf **pkts, unsigned int n);

/* Copy `len` bytes into an empty mbuf as its only segment: 0, or -1 when they do not fit. */
int sigwatch_mbuf_fill(struct rte_mbuf *m, const uint8_t *data, uint16_t len);

/* Copy `len` bytes into an empty mbuf, chaining more segments from `pool` as each fills (a
 * jumbo frame, as a NIC with scatter RX hands it over): 0, or -1 when the pool ran dry. */
int sigwatch_mbuf_fill_chained(struct rte_mempool *pool, struct rte_mbuf *m, const uint8_t *data, uint32_t len);

/* rte_version(). */
const char *sigwatch_rte_version(void);

#endif
