//! Live capture with DPDK (feature `dpdk`): the EAL, ports with one RX queue per worker and a
//! symmetric RSS key, one mbuf pool per NUMA socket, and a [`FrameInput`] per worker that
//! polls its own queues and hands the workers frames straight from mbuf data (zero copy).
//!
//! This is the one module of sigwatch that calls `unsafe` code (DPDK's C API through
//! `dpdk-sys`); what it exports is safe.

#![allow(unsafe_code)]

use std::ffi::{CStr, CString};
use std::os::raw::c_char;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Result};
use decoder::link::LinkType;
use dpdk_sys as sys;

use super::{FrameInput, FrameRef, Polled};

/// Frames taken from a queue per call.
const BURST: usize = 32;
/// RX descriptors per queue.
const RX_DESCRIPTORS: u16 = 1024;
/// Mbufs kept in each lcore's mempool cache.
const POOL_CACHE: u32 = 256;

/// The longest RSS hash key NICs take (i40e, ixgbe: 52 octets).
const RSS_KEY_MAX: usize = 52;
/// The key length to give a device that does not say its own (40 octets: most NICs').
const RSS_KEY_DEFAULT: u8 = 40;
/// Mbufs beyond the descriptors: each worker's burst in flight and each lcore's cache.
const POOL_SPARE: usize = 4096;
/// The most mbufs a pool gets by default (2^18 - 1: a mempool's ring holds 2^n - 1).
const POOL_MAX: usize = (1 << 18) - 1;
/// Frame bytes one mbuf holds (RTE_MBUF_DEFAULT_DATAROOM); longer frames span several.
const MBUF_DATA_ROOM: usize = 2048;

/// The Toeplitz key that makes RSS symmetric: 0x6d5a repeated hashes (src, dst) and (dst, src)
/// alike, so both directions of an SCTP association or TCP connection reach the same worker
/// (dialogues are matched to their answers per worker).
const SYMMETRIC_RSS_KEY: [u8; RSS_KEY_MAX] = {
    let mut k = [0u8; RSS_KEY_MAX];
    let mut i = 0;
    while i < RSS_KEY_MAX {
        k[i] = if i % 2 == 0 { 0x6d } else { 0x5a };
        i += 1;
    }
    k
};

/// DPDK's message for an error number.
fn strerror(errnum: i32) -> String {
    // SAFETY: rte_strerror returns a pointer to a static or thread-local NUL-terminated string.
    unsafe { CStr::from_ptr(sys::rte_strerror(errnum.abs())) }
        .to_string_lossy()
        .into_owned()
}

fn rte_errno() -> i32 {
    // SAFETY: reads the calling thread's rte_errno.
    unsafe { sys::sigwatch_rte_errno() }
}

/// The DPDK this binary was built against and runs with.
pub(crate) fn version() -> String {
    // SAFETY: rte_version returns a static NUL-terminated string.
    unsafe { CStr::from_ptr(sys::sigwatch_rte_version()) }
        .to_string_lossy()
        .into_owned()
}

/// The initialised EAL. DPDK allows this once per process.
#[derive(Debug)]
pub(crate) struct Eal {
    _private: (),
}

static EAL_STARTED: AtomicBool = AtomicBool::new(false);

impl Eal {
    /// Initialise the EAL with `args` (split on whitespace, as a shell would without quotes).
    pub(crate) fn init(args: &str) -> Result<Eal> {
        if EAL_STARTED.swap(true, Ordering::SeqCst) {
            bail!("the DPDK EAL can be initialised once per process");
        }
        // argv[0] names the EAL, so that getopt's complaints read like the EAL's own lines.
        let mut argv: Vec<*mut c_char> = std::iter::once("EAL")
            .chain(args.split_whitespace())
            .map(|a| {
                CString::new(a)
                    .map(|c| c.into_raw())
                    .map_err(|_| anyhow::anyhow!("--dpdk: an argument holds a NUL byte"))
            })
            .collect::<Result<_>>()?;
        // The EAL keeps pointers into argv: the strings live as long as the process.
        let argc = argv.len() as i32;
        argv.push(std::ptr::null_mut());
        let argv = Box::leak(argv.into_boxed_slice());
        // The EAL prints its usage on stdout when it rejects its arguments; stdout belongs to
        // sigwatch's output, so the EAL's goes to stderr while it starts.
        // SAFETY: dup/dup2 on the process's own standard descriptors.
        let saved = unsafe { libc::dup(1) };
        if saved >= 0 {
            // SAFETY: as above.
            unsafe { libc::dup2(2, 1) };
        }
        // SAFETY: argv holds argc valid NUL-terminated strings and a final NULL, never freed.
        let r = unsafe { sys::rte_eal_init(argc, argv.as_mut_ptr()) };
        if saved >= 0 {
            // SAFETY: flushes C's buffered stdout (the EAL writes through printf) into
            // stderr, restores stdout from the saved descriptor, then closes that.
            unsafe {
                libc::fflush(std::ptr::null_mut());
                libc::dup2(saved, 1);
                libc::close(saved);
            }
        }
        if r < 0 {
            bail!(
                "DPDK EAL init failed with --dpdk \"{args}\": {} (the EAL's lines above say more)",
                strerror(rte_errno())
            );
        }
        Ok(Eal { _private: () })
    }
}

impl Drop for Eal {
    fn drop(&mut self) {
        // SAFETY: every port and pool was released before (Ports borrows the Eal).
        unsafe {
            sys::rte_eal_cleanup();
        }
    }
}

/// One configured, started port.
#[derive(Debug, Clone)]
pub struct PortInfo {
    /// Port id.
    pub id: u16,
    /// Device name (`net_pcap0`, `0000:3b:00.0`).
    pub(crate) name: String,
    /// RX queues (one per worker, as many as the device allows).
    pub(crate) queues: u16,
}

/// The started ports and their mbuf pools; stopped and closed on drop.
#[derive(Debug)]
pub struct Ports<'e> {
    _eal: &'e Eal,
    ports: Vec<PortInfo>,
    pools: Vec<(i32, *mut sys::rte_mempool)>,
    ts: Timestamps,
    mbufs: Option<usize>,
}

// SAFETY: the pool pointers are only used to free the pools on drop; DPDK's pools and ports
// may be used from any thread.
unsafe impl Send for Ports<'_> {}
// SAFETY: as above; nothing is mutated through a shared reference.
unsafe impl Sync for Ports<'_> {}

#[derive(Debug, Clone, Copy)]
struct Timestamps {
    offset: i32,
    flag: u64,
}

/// Counters of the ports' hardware and drivers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct PortCounters {
    /// Frames the port received.
    pub(crate) received: u64,
    /// Frames the NIC dropped because its RX queues were full (`imissed`).
    pub(crate) missed: u64,
    /// Erroneous frames (`ierrors`).
    pub(crate) errors: u64,
    /// Frames dropped for want of an mbuf (`rx_nombuf`).
    pub(crate) no_mbuf: u64,
}

fn port_name(id: u16) -> String {
    let mut buf = [0 as c_char; 64];
    // SAFETY: the buffer has RTE_ETH_NAME_MAX_LEN (64) bytes, as the call requires.
    let r = unsafe { sys::rte_eth_dev_get_name_by_port(id, buf.as_mut_ptr()) };
    if r != 0 {
        return format!("port{id}");
    }
    // SAFETY: the call wrote a NUL-terminated name into buf.
    unsafe { CStr::from_ptr(buf.as_ptr()) }
        .to_string_lossy()
        .into_owned()
}

impl<'e> Ports<'e> {
    /// Configure and start `wanted` ports (all probed ports when empty) with up to
    /// `workers` RX queues each; `mbufs`: the size of each socket's mbuf pool (default: room
    /// for every RX descriptor twice over).
    pub(crate) fn start(
        eal: &'e Eal,
        wanted: &[u16],
        workers: usize,
        mbufs: Option<usize>,
    ) -> Result<Ports<'e>> {
        let probed: Vec<u16> = (0..sys::RTE_MAX_ETHPORTS as u16)
            // SAFETY: any port id may be asked about.
            .filter(|&p| unsafe { sys::rte_eth_dev_is_valid_port(p) } != 0)
            .collect();
        if probed.is_empty() {
            bail!(
                "DPDK found no port: bind a NIC to vfio-pci, or give a virtual device with --vdev"
            );
        }
        let ids: Vec<u16> = if wanted.is_empty() {
            probed.clone()
        } else {
            for p in wanted {
                if !probed.contains(p) {
                    bail!("--port {p}: DPDK has no such port (it has {probed:?})");
                }
            }
            wanted.to_vec()
        };
        let mut ts = Timestamps {
            offset: -1,
            flag: 0,
        };
        let mut offset = -1i32;
        let mut flag = 0u64;
        // SAFETY: out-pointers to locals.
        if unsafe { sys::sigwatch_rx_timestamp_register(&mut offset, &mut flag) } == 0 {
            ts = Timestamps { offset, flag };
        }
        // Room for every queue the ports may get.
        let room = ids.len() * workers.max(1);
        let mut me = Ports {
            _eal: eal,
            ports: Vec::new(),
            pools: Vec::new(),
            ts,
            mbufs,
        };
        for id in ids {
            let info = me.start_port(id, workers, room)?;
            me.ports.push(info);
        }
        Ok(me)
    }

    fn pool(&mut self, socket: i32, queues: usize) -> Result<*mut sys::rte_mempool> {
        if let Some(&(_, p)) = self.pools.iter().find(|(s, _)| *s == socket) {
            return Ok(p);
        }
        // Every descriptor holds an mbuf, each worker a burst in flight, each lcore a cache.
        let n = self.mbufs.unwrap_or_else(|| {
            ((queues * usize::from(RX_DESCRIPTORS) * 2 + POOL_SPARE).next_power_of_two() - 1)
                .min(POOL_MAX)
        });
        let name = CString::new(format!("sigwatch_{}", self.pools.len()))?;
        // SAFETY: a valid name; sizes within DPDK's limits.
        let pool = unsafe {
            sys::rte_pktmbuf_pool_create(
                name.as_ptr(),
                n as u32,
                POOL_CACHE,
                0,
                sys::RTE_MBUF_DEFAULT_BUF_SIZE as u16,
                socket,
            )
        };
        if pool.is_null() {
            bail!(
                "DPDK could not create a pool of {n} mbufs on socket {socket}: {}",
                strerror(rte_errno())
            );
        }
        self.pools.push((socket, pool));
        Ok(pool)
    }

    fn start_port(&mut self, id: u16, workers: usize, room: usize) -> Result<PortInfo> {
        let name = port_name(id);
        let mut dev = sys::rte_eth_dev_info::default();
        // SAFETY: a valid port id and an out-pointer.
        let r = unsafe { sys::rte_eth_dev_info_get(id, &mut dev) };
        if r != 0 {
            bail!("port {id} ({name}): no device info: {}", strerror(r));
        }
        let driver = if dev.driver_name.is_null() {
            String::new()
        } else {
            // SAFETY: the PMD's static name.
            unsafe { CStr::from_ptr(dev.driver_name) }
                .to_string_lossy()
                .into_owned()
        };
        let queues = (workers.min(usize::from(dev.max_rx_queues.max(1))) as u16).max(1);
        let mut conf = sys::rte_eth_conf::default();
        // SAFETY: reads two constants.
        let (hash_types, timestamp) = unsafe {
            (
                sys::sigwatch_rss_hash_types(),
                sys::sigwatch_rx_offload_timestamp(),
            )
        };
        let hf = hash_types & dev.flow_type_rss_offloads;
        let mut key = SYMMETRIC_RSS_KEY;
        let rss = queues > 1 && hf != 0;
        if rss {
            conf.rxmode.mq_mode = sys::rte_eth_rx_mq_mode_RTE_ETH_MQ_RX_RSS;
            conf.rx_adv_conf.rss_conf.rss_key = key.as_mut_ptr();
            conf.rx_adv_conf.rss_conf.rss_key_len = match dev.hash_key_size {
                0 => RSS_KEY_DEFAULT,
                n => n.min(RSS_KEY_MAX as u8),
            };
            conf.rx_adv_conf.rss_conf.rss_hf = hf;
        }
        let rx_timestamp = dev.rx_offload_capa & timestamp != 0;
        if rx_timestamp {
            conf.rxmode.offloads |= timestamp;
        }
        // Scatter RX where the PMD has it, so a frame longer than one mbuf arrives as a chain
        // (read whole) instead of dropped. The MTU is left as the port has it: a probe does
        // not reconfigure an interface it shares.
        // SAFETY: reads a constant.
        let scatter = unsafe { sys::sigwatch_rx_offload_scatter() };
        if dev.rx_offload_capa & scatter != 0 {
            conf.rxmode.offloads |= scatter;
        }
        // SAFETY: a valid port and configuration; the RSS key outlives the call.
        let r = unsafe { sys::rte_eth_dev_configure(id, queues, 0, &conf) };
        if r != 0 {
            bail!(
                "port {id} ({name}): cannot configure {queues} RX queues: {}",
                strerror(r)
            );
        }
        // SAFETY: a valid port.
        let socket = match unsafe { sys::rte_eth_dev_socket_id(id) } {
            s if s < 0 => 0,
            s => s,
        };
        let pool = self.pool(socket, room)?;
        for q in 0..queues {
            // SAFETY: a configured port, a queue below the configured count, a live pool.
            let r = unsafe {
                sys::rte_eth_rx_queue_setup(
                    id,
                    q,
                    RX_DESCRIPTORS,
                    socket as u32,
                    std::ptr::null(),
                    pool,
                )
            };
            if r != 0 {
                bail!(
                    "port {id} ({name}): cannot set up RX queue {q}: {}",
                    strerror(r)
                );
            }
        }
        // SAFETY: a configured port with its queues.
        let r = unsafe { sys::rte_eth_dev_start(id) };
        if r != 0 {
            bail!("port {id} ({name}): will not start: {}", strerror(r));
        }
        // A tap's frames are not addressed to us. Some virtual devices cannot say; no matter.
        // SAFETY: a started port.
        let _ = unsafe { sys::rte_eth_promiscuous_enable(id) };
        let mut link = sys::rte_eth_link::default();
        // SAFETY: a started port and an out-pointer.
        let up =
            unsafe { sys::rte_eth_link_get_nowait(id, &mut link) } == 0 && link.link_status() != 0;
        eprintln!(
            "sigwatch: port {id} {name} ({driver}): {queues} RX queue{}{}, link {}{}",
            if queues == 1 { "" } else { "s" },
            if rss { " with symmetric RSS" } else { "" },
            if up { "up" } else { "down" },
            if up && link.link_speed > 0 {
                format!(" {} Mbps", link.link_speed)
            } else {
                String::new()
            }
        );
        Ok(PortInfo { id, name, queues })
    }

    /// The ports.
    pub fn ports(&self) -> &[PortInfo] {
        &self.ports
    }

    /// The counters of every port, summed.
    pub(crate) fn counters(&self) -> PortCounters {
        let mut c = PortCounters::default();
        for p in &self.ports {
            let mut s = sys::rte_eth_stats::default();
            // SAFETY: a started port and an out-pointer.
            if unsafe { sys::rte_eth_stats_get(p.id, &mut s) } == 0 {
                c.received += s.ipackets;
                c.missed += s.imissed;
                c.errors += s.ierrors;
                c.no_mbuf += s.rx_nombuf;
            }
        }
        c
    }

    /// Inputs for `workers` workers: the (port, queue) pairs dealt out in turn. A worker
    /// may get none (more workers than queues); it still runs its shard.
    pub(crate) fn inputs(&self, workers: usize, shared: &Arc<Shared>) -> Vec<DpdkInput> {
        let pairs: Vec<(u16, u16)> = self
            .ports
            .iter()
            .flat_map(|p| (0..p.queues).map(move |q| (p.id, q)))
            .collect();
        let wall0 = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        // SAFETY: plain reads of the TSC and its frequency.
        let (tsc0, hz) = unsafe { (sys::sigwatch_tsc(), sys::sigwatch_tsc_hz()) };
        (0..workers)
            .map(|w| DpdkInput {
                queues: pairs
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| i % workers == w)
                    .map(|(_, p)| *p)
                    .collect(),
                mbufs: [std::ptr::null_mut(); BURST],
                ts: self.ts,
                clock: Clock {
                    wall0,
                    tsc0,
                    hz: hz.max(1),
                },
                shared: shared.clone(),
                last_ts: 0,
                sent_mark: 0,
                registered: false,
                ended: false,
                whole: vec![0; WHOLE_FRAME_ROOM],
            })
            .collect()
    }
}

impl Drop for Ports<'_> {
    fn drop(&mut self) {
        for p in &self.ports {
            // SAFETY: a started port; no worker polls it any more (they borrow nothing, but
            // the pipeline joins them before the ports are dropped).
            unsafe {
                sys::rte_eth_dev_stop(p.id);
                sys::rte_eth_dev_close(p.id);
            }
        }
        for &(_, pool) in &self.pools {
            // SAFETY: the ports using the pool are closed.
            unsafe { sys::rte_mempool_free(pool) };
        }
    }
}

/// What the workers and the source thread share.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    /// Frames taken from the queues so far (numbers are handed out from here).
    pub(crate) frames: AtomicU64,
    /// The latest capture time any worker has seen.
    pub(crate) max_ts: AtomicU64,
    /// When a frame last arrived, as ms since `Shared` was made (for `--until-idle`).
    pub(crate) last_frame_ms: AtomicU64,
    /// Set by the source: stop polling.
    pub(crate) stop: AtomicBool,
    /// Workers that have seen `stop` and polled for the last time.
    pub(crate) stopped: AtomicUsize,
    started: std::sync::OnceLock<Instant>,
}

impl Shared {
    /// Milliseconds since the first call.
    pub(crate) fn now_ms(&self) -> u64 {
        self.started.get_or_init(Instant::now).elapsed().as_millis() as u64
    }
}

#[derive(Debug, Clone, Copy)]
struct Clock {
    wall0: u64,
    tsc0: u64,
    hz: u64,
}

impl Clock {
    /// Wall-clock ns now, from the TSC.
    fn now(&self) -> u64 {
        // SAFETY: a plain TSC read.
        let d = unsafe { sys::sigwatch_tsc() }.wrapping_sub(self.tsc0);
        self.wall0 + ((u128::from(d) * 1_000_000_000) / u128::from(self.hz)) as u64
    }
}

/// A PMD's RX timestamp as ns since the Unix epoch. DPDK leaves the unit to the driver:
/// net_pcap gives the capture's time in microseconds, NICs with a real-time clock give
/// nanoseconds, free-running NIC clocks count ticks from an arbitrary start. Stamps that read
/// as a time between 2001 and 2096 in µs or ns are taken; others are not (`None`: the TSC
/// clock is used instead).
fn epoch_ns(stamp: u64) -> Option<u64> {
    const NS: std::ops::Range<u64> = 1_000_000_000_000_000_000..4_000_000_000_000_000_000;
    if NS.contains(&stamp) {
        Some(stamp)
    } else if NS.contains(&stamp.saturating_mul(1000)) {
        Some(stamp * 1000)
    } else {
        None
    }
}

/// A worker's queues.
#[derive(Debug)]
pub(crate) struct DpdkInput {
    queues: Vec<(u16, u16)>,
    mbufs: [*mut sys::rte_mbuf; BURST],
    ts: Timestamps,
    clock: Clock,
    shared: Arc<Shared>,
    last_ts: u64,
    sent_mark: u64,
    registered: bool,
    ended: bool,
    /// Where a frame that spans several mbufs (a jumbo frame, scatter RX) is put together:
    /// sized for the largest IP packet at start, grown only by a larger chain.
    whole: Vec<u8>,
}

/// Room for the largest IP packet and its link header, for frames that span mbufs.
const WHOLE_FRAME_ROOM: usize = 65_536 + 64;

// SAFETY: the mbuf pointers are only filled and freed within one `poll`, on the thread that
// calls it; between polls the array holds nothing live.
unsafe impl Send for DpdkInput {}

impl FrameInput for DpdkInput {
    fn poll(&mut self, f: &mut dyn FnMut(FrameRef<'_>)) -> Polled {
        if !self.registered {
            // An lcore id for this thread, so that its mbuf allocations use a pool cache.
            // SAFETY: registers the calling thread with the EAL; failure only costs speed.
            let _ = unsafe { sys::rte_thread_register() };
            self.registered = true;
        }
        if self.shared.stop.load(Ordering::Acquire) {
            if !self.ended {
                self.ended = true;
                self.shared.stopped.fetch_add(1, Ordering::AcqRel);
            }
            return Polled {
                done: true,
                ..Polled::default()
            };
        }
        let mut frames = 0;
        for &(port, queue) in &self.queues {
            // SAFETY: a started port's queue, and room for BURST pointers.
            let n = usize::from(unsafe {
                sys::sigwatch_rx_burst(port, queue, self.mbufs.as_mut_ptr(), BURST as u16)
            });
            if n == 0 {
                continue;
            }
            let base = self.shared.frames.fetch_add(n as u64, Ordering::Relaxed);
            let now = self.clock.now();
            for (i, &m) in self.mbufs[..n].iter().enumerate() {
                let mut len = 0u16;
                // SAFETY: `m` is an mbuf the PMD just handed over; its data stays valid
                // until it is freed below, after `f` has returned. A frame spanning several
                // segments is read whole into `whole` (never cut at the first segment).
                let (data, stamped) = unsafe {
                    let ts = sys::sigwatch_mbuf_rx_timestamp(m, self.ts.offset, self.ts.flag);
                    if sys::sigwatch_mbuf_is_chained(m) == 0 {
                        let p = sys::sigwatch_mbuf_data(m, &mut len);
                        (std::slice::from_raw_parts(p, usize::from(len)), ts)
                    } else {
                        let total = sys::sigwatch_mbuf_pkt_len(m) as usize;
                        if self.whole.len() < total {
                            self.whole.resize(total, 0);
                        }
                        let p = sys::sigwatch_mbuf_read(m, total as u32, self.whole.as_mut_ptr());
                        if p.is_null() {
                            (&[][..], ts)
                        } else {
                            (std::slice::from_raw_parts(p, total), ts)
                        }
                    }
                };
                // Frames of a burst come in order; a PMD's stamp never runs backwards.
                let ts = epoch_ns(stamped).unwrap_or(now).max(self.last_ts);
                self.last_ts = ts;
                f(FrameRef {
                    number: base + i as u64 + 1,
                    order: ts,
                    ts_ns: ts,
                    linktype: LinkType::ETHERNET,
                    data,
                    restart: false,
                });
            }
            // SAFETY: the n mbufs are ours and no longer referenced.
            unsafe { sys::sigwatch_free_bulk(self.mbufs.as_mut_ptr(), n as u32) };
            frames += n;
        }
        if frames > 0 {
            self.shared
                .last_frame_ms
                .store(self.shared.now_ms(), Ordering::Relaxed);
            self.shared
                .max_ts
                .fetch_max(self.last_ts, Ordering::Relaxed);
        }
        // Frames to come here are no older than the last one seen here; an idle queue holds
        // back nobody: it vouches for the latest time any worker has seen.
        let mark = if frames > 0 {
            self.last_ts
        } else {
            self.last_ts.max(self.shared.max_ts.load(Ordering::Relaxed))
        };
        let news = mark > self.sent_mark;
        if news {
            self.sent_mark = mark;
        }
        Polled {
            frames,
            watermark: if news { mark } else { 0 },
            watermark_ts: mark,
            done: false,
        }
    }
}

impl Drop for DpdkInput {
    fn drop(&mut self) {
        if self.registered {
            // SAFETY: unregisters the thread that registered, when it drops its input (the
            // input lives and dies on its worker thread).
            unsafe { sys::rte_thread_unregister() };
        }
    }
}

/// Wait on the source thread until `stop` is raised or no frame has come for `until_idle`,
/// then stop the workers and wait (up to a few seconds) until each has polled its last.
pub(crate) fn wait_and_stop(
    shared: &Shared,
    workers: usize,
    stop: &AtomicBool,
    until_idle: Option<Duration>,
) {
    shared.now_ms();
    loop {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        if let Some(idle) = until_idle {
            let quiet = shared.now_ms() - shared.last_frame_ms.load(Ordering::Relaxed);
            if quiet >= idle.as_millis() as u64 {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    shared.stop.store(true, Ordering::Release);
    let deadline = Instant::now() + Duration::from_secs(5);
    while shared.stopped.load(Ordering::Acquire) < workers && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Puts frames into the RX rings of a `net_ring` device, as a NIC would deliver them: the
/// live path (EAL, ethdev, mbufs, workers) measured and tested without a NIC. A frame goes
/// to queue `flow_hash % queues`, so both directions of an association reach one worker, as
/// symmetric RSS would have it.
///
/// Feeding is lossless: a full ring or an empty pool is waited out. The feeder's mbufs come
/// from a pool of its own, which the EAL releases when it is cleaned up (workers may still
/// hold mbufs of it when the feeder is dropped).
#[derive(Debug)]
pub struct RingFeeder {
    rings: Vec<*mut sys::rte_ring>,
    pool: *mut sys::rte_mempool,
    /// Frames waiting for their ring, per ring.
    pending: Vec<ArrayVecBurst>,
    /// Fresh mbufs, taken from the pool a burst at a time.
    fresh: ArrayVecBurst,
    /// Times a ring was full or the pool empty when a burst was due.
    pub waits: u64,
}

/// Up to a burst of mbufs.
#[derive(Debug)]
struct ArrayVecBurst {
    mbufs: [*mut sys::rte_mbuf; BURST],
    len: usize,
}

impl ArrayVecBurst {
    const EMPTY: ArrayVecBurst = ArrayVecBurst {
        mbufs: [std::ptr::null_mut(); BURST],
        len: 0,
    };
}

// SAFETY: the rings and the pool are DPDK objects usable from any thread; the mbufs held are
// owned by the feeder until they are enqueued.
unsafe impl Send for RingFeeder {}

impl RingFeeder {
    /// A feeder for port `port` of `ports`, which must be a `net_ring` device made from the
    /// EAL's `--vdev net_ringN` (its rings are `ETH_RXTX<q>_<device name>`).
    pub fn new(ports: &Ports<'_>, port: u16, mbufs: u32) -> Result<RingFeeder> {
        static POOLS: AtomicUsize = AtomicUsize::new(0);
        let Some(p) = ports.ports().iter().find(|p| p.id == port) else {
            bail!("port {port}: not started");
        };
        let mut rings = Vec::new();
        for q in 0..p.queues {
            let name = CString::new(format!("ETH_RXTX{q}_{}", p.name))?;
            // SAFETY: a valid NUL-terminated name.
            let r = unsafe { sys::sigwatch_ring_lookup(name.as_ptr()) };
            if r.is_null() {
                bail!(
                    "port {port} ({}): no ring {name:?}: not a net_ring device made by --vdev",
                    p.name
                );
            }
            rings.push(r);
        }
        let name = CString::new(format!(
            "sigwatch_feed_{}",
            POOLS.fetch_add(1, Ordering::Relaxed)
        ))?;
        // SAFETY: a valid name; sizes within DPDK's limits.
        let pool = unsafe {
            sys::rte_pktmbuf_pool_create(
                name.as_ptr(),
                mbufs,
                POOL_CACHE,
                0,
                sys::RTE_MBUF_DEFAULT_BUF_SIZE as u16,
                0,
            )
        };
        if pool.is_null() {
            bail!(
                "DPDK could not create a pool of {mbufs} mbufs to feed port {port}: {}",
                strerror(rte_errno())
            );
        }
        Ok(RingFeeder {
            pending: (0..rings.len()).map(|_| ArrayVecBurst::EMPTY).collect(),
            rings,
            pool,
            fresh: ArrayVecBurst::EMPTY,
            waits: 0,
        })
    }

    /// Queue one Ethernet frame (over several mbufs when it is longer than one's data room).
    pub fn push(&mut self, frame: &[u8]) {
        if self.fresh.len == 0 {
            // SAFETY: room for BURST pointers; the pool is live.
            while unsafe {
                sys::sigwatch_mbuf_alloc_bulk(
                    self.pool,
                    self.fresh.mbufs.as_mut_ptr(),
                    BURST as u32,
                )
            } != 0
            {
                // Every mbuf is in a ring or a worker's hands: wait for frees.
                self.waits += 1;
                self.flush();
                std::hint::spin_loop();
            }
            self.fresh.len = BURST;
        }
        self.fresh.len -= 1;
        let m = self.fresh.mbufs[self.fresh.len];
        // SAFETY: a fresh, empty mbuf of this pool, and `frame.len()` readable bytes; a frame
        // longer than the data room is chained over more mbufs of the pool.
        let _ = unsafe {
            if frame.len() <= MBUF_DATA_ROOM {
                sys::sigwatch_mbuf_fill(m, frame.as_ptr(), frame.len() as u16)
            } else {
                sys::sigwatch_mbuf_fill_chained(self.pool, m, frame.as_ptr(), frame.len() as u32)
            }
        };
        let q = (decoder::stack::flow_hash(LinkType::ETHERNET, frame) % self.rings.len() as u64)
            as usize;
        let p = &mut self.pending[q];
        p.mbufs[p.len] = m;
        p.len += 1;
        if p.len == BURST {
            self.send(q);
        }
    }

    /// Hand every queued frame to its ring, waiting while a ring is full.
    pub fn flush(&mut self) {
        for q in 0..self.rings.len() {
            self.send(q);
        }
    }

    fn send(&mut self, q: usize) {
        let (ring, p) = (self.rings[q], &mut self.pending[q]);
        let mut sent = 0;
        while sent < p.len {
            // SAFETY: the ring is live; the mbufs from `sent` on are ours.
            let n = unsafe {
                sys::sigwatch_ring_enqueue_burst(
                    ring,
                    p.mbufs[sent..].as_mut_ptr(),
                    (p.len - sent) as u32,
                )
            } as usize;
            if n == 0 {
                // Full: back off rather than poll the consumer's cache line it is updating.
                self.waits += 1;
                for _ in 0..256 {
                    std::hint::spin_loop();
                }
            }
            sent += n;
        }
        p.len = 0;
    }
}

impl Drop for RingFeeder {
    fn drop(&mut self) {
        // Frames not flushed are not fed (a flush could wait forever once workers stop).
        for b in self
            .pending
            .iter_mut()
            .chain(std::iter::once(&mut self.fresh))
        {
            if b.len > 0 {
                // SAFETY: mbufs still the feeder's own, never enqueued.
                unsafe { sys::sigwatch_free_bulk(b.mbufs.as_mut_ptr(), b.len as u32) };
                b.len = 0;
            }
        }
    }
}
