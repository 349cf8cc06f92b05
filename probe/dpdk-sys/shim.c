#include <rte_config.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_ring.h>
#include <string.h>
#include <rte_version.h>

#include "shim.h"

int sigwatch_rte_errno(void) { return rte_errno; }

uint16_t sigwatch_rx_burst(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t n)
{
	return rte_eth_rx_burst(port, queue, pkts, n);
}

void sigwatch_free_bulk(struct rte_mbuf **pkts, unsigned int n) { rte_pktmbuf_free_bulk(pkts, n); }

const uint8_t *sigwatch_mbuf_data(const struct rte_mbuf *m, uint16_t *len)
{
	*len = m->data_len;
	return rte_pktmbuf_mtod(m, const uint8_t *);
}

int sigwatch_mbuf_is_chained(const struct rte_mbuf *m) { return m->nb_segs > 1; }

uint32_t sigwatch_mbuf_pkt_len(const struct rte_mbuf *m) { return rte_pktmbuf_pkt_len(m); }

const uint8_t *sigwatch_mbuf_read(const struct rte_mbuf *m, uint32_t len, uint8_t *buf)
{
	return rte_pktmbuf_read(m, 0, len, buf);
}

uint64_t sigwatch_rx_offload_scatter(void) { return RTE_ETH_RX_OFFLOAD_SCATTER; }

int sigwatch_rx_timestamp_register(int *offset, uint64_t *flag)
{
	return rte_mbuf_dyn_rx_timestamp_register(offset, flag);
}

uint64_t sigwatch_mbuf_rx_timestamp(const struct rte_mbuf *m, int offset, uint64_t flag)
{
	if (offset < 0 || !(m->ol_flags & flag))
		return 0;
	return *RTE_MBUF_DYNFIELD(m, offset, const rte_mbuf_timestamp_t *);
}

unsigned int sigwatch_lcore_id(void) { return rte_lcore_id(); }

uint64_t sigwatch_tsc(void) { return rte_get_tsc_cycles(); }

uint64_t sigwatch_tsc_hz(void) { return rte_get_tsc_hz(); }

uint64_t sigwatch_rss_hash_types(void)
{
	return RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP | RTE_ETH_RSS_SCTP;
}

uint64_t sigwatch_rx_offload_timestamp(void) { return RTE_ETH_RX_OFFLOAD_TIMESTAMP; }

const char *sigwatch_rte_version(void) { return rte_version(); }

struct rte_ring *sigwatch_ring_lookup(const char *name) { return rte_ring_lookup(name); }

int sigwatch_mbuf_alloc_bulk(struct rte_mempool *pool, struct rte_mbuf **pkts, unsigned int n)
{
	return rte_pktmbuf_alloc_bulk(pool, pkts, n);
}

unsigned int sigwatch_ring_enqueue_burst(struct rte_ring *r, struct rte_mbuf **pkts, unsigned int n)
{
	return rte_ring_enqueue_burst(r, (void *const *)pkts, n, NULL);
}

int sigwatch_mbuf_fill_chained(struct rte_mempool *pool, struct rte_mbuf *m, const uint8_t *data, uint32_t len)
{
	while (len > 0) {
		uint16_t room = rte_pktmbuf_tailroom(rte_pktmbuf_lastseg(m));
		if (room == 0) {
			struct rte_mbuf *seg = rte_pktmbuf_alloc(pool);
			if (seg == NULL)
				return -1;
			if (rte_pktmbuf_chain(m, seg) != 0) {
				rte_pktmbuf_free(seg);
				return -1;
			}
			continue;
		}
		uint16_t n = len < room ? (uint16_t)len : room;
		char *p = rte_pktmbuf_append(m, n);
		if (p == NULL)
			return -1;
		memcpy(p, data, n);
		data += n;
		len -= n;
	}
	return 0;
}

int sigwatch_mbuf_fill(struct rte_mbuf *m, const uint8_t *data, uint16_t len)
{
	char *p = rte_pktmbuf_append(m, len);
	if (p == NULL)
		return -1;
	memcpy(p, data, len);
	return 0;
}
