//! Load: bulk traffic, fast. A pool of distinct frames (MAP over M3UA and Diameter over SCTP,
//! many subscribers, 64 associations so that workers share the load) is built once; frames
//! are then streamed from it with fresh TSNs, checksums and capture times, so a receiver sees
//! new traffic, not retransmissions.

use std::io::Write;
use std::net::Ipv4Addr;

use decoder::diameter::CommandCode;
use decoder::map::MapArg;
use decoder::sctp::fix_sctp_checksum;
use decoder::tcap::{emit_tcap, ComponentSpec, TcapKind, TcapSpec};

use crate::net::{home_sub, CHINA_UNICOM, HOME, ROAMING};
use crate::scenario::{Rng, T0};
use crate::wire::{Bearer, Dir, Link, LinkOptions, Sccp};

/// Distinct frames in the pool.
pub(crate) const POOL: usize = 8192;
/// Associations the pool spreads over.
pub(crate) const ASSOCIATIONS: u32 = 64;

/// Where the SCTP packet and the TSN of a pool frame are (Ethernet, IPv4, SCTP, one DATA chunk).
const SCTP_AT: usize = 14 + 20;
const TSN_AT: usize = 14 + 20 + 12 + 4;

struct Entry {
    frame: Vec<u8>,
    assoc: usize,
}

/// A stream of load frames.
pub struct Load {
    pool: Vec<Entry>,
    tsn: Vec<u32>,
    next: usize,
    ts: u64,
    gap_ns: u64,
}

impl std::fmt::Debug for Load {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Load")
            .field("pool", &self.pool.len())
            .finish()
    }
}

impl Load {
    /// A load stream; `gap_ns` apart in capture time.
    pub fn new(seed: u64, gap_ns: u64) -> Load {
        let mut rng = Rng::new(seed);
        let mut links: Vec<Link> = (0..ASSOCIATIONS)
            .map(|a| {
                let peer = Ipv4Addr::new(10, 2, (a / 250) as u8, (a % 250) as u8 + 1);
                let bearer = if a % 4 == 3 {
                    Bearer::DiameterSctp
                } else {
                    Bearer::M3ua
                };
                Link::new(HOME.ip, peer, bearer, LinkOptions::default(), 1000 + a)
            })
            .collect();
        let mut pool = Vec::with_capacity(POOL);
        for i in 0..POOL {
            let assoc = (rng.below(u64::from(ASSOCIATIONS))) as usize;
            let (imsi, msisdn) = home_sub(rng.below(1_000_000));
            let peer = ROAMING[i % ROAMING.len()];
            let frames = if links[assoc].bearer() == Bearer::DiameterSctp {
                let (cmd, request) = match i % 3 {
                    0 => (CommandCode::AUTHENTICATION_INFORMATION, true),
                    1 => (CommandCode::UPDATE_LOCATION, true),
                    _ => (CommandCode::AUTHENTICATION_INFORMATION, false),
                };
                let d = peer.s6a_request(cmd, request, i as u32, &imsi);
                links[assoc].diameter(Dir::In, &d)
            } else {
                let from = if i % 10 == 9 { &CHINA_UNICOM } else { peer };
                let (op, param) = match i % 5 {
                    0 => (56, MapArg::send_authentication_info(&imsi)),
                    1 => (
                        2,
                        MapArg::update_location(&imsi, &from.gt(200), &from.gt(200)),
                    ),
                    2 => (
                        71,
                        MapArg::any_time_interrogation(Some(&msisdn), None, &from.gt(300)),
                    ),
                    3 => (45, MapArg::send_routing_info_for_sm(&msisdn, &from.gt(500))),
                    _ => (
                        44,
                        MapArg::mt_forward_sm(
                            &imsi,
                            &from.gt(500),
                            b"\x04\x0b\x91\x21\x60\x02\x00\x10\xf7",
                        ),
                    ),
                };
                let spec = TcapSpec {
                    kind: TcapKind::Begin,
                    otid: Some(i as u32),
                    dtid: None,
                    acn: Some("0.4.0.0.1.0.1.3".into()),
                    components: vec![ComponentSpec::invoke(1, op, param)],
                };
                let mut t = Vec::new();
                emit_tcap(&mut t, &spec);
                let env = Sccp {
                    calling: from.gt(200),
                    calling_ssn: 7,
                    called: HOME.gt(100),
                    called_ssn: 6,
                };
                links[assoc].ss7(Dir::In, &[(env, t)])
            };
            for frame in frames {
                pool.push(Entry { frame, assoc });
            }
        }
        Load {
            pool,
            tsn: vec![1; ASSOCIATIONS as usize],
            next: 0,
            ts: T0,
            gap_ns,
        }
    }

    /// The next frame and its capture time, written into `buf`.
    pub fn next_frame(&mut self, buf: &mut Vec<u8>) -> u64 {
        let e = &self.pool[self.next];
        self.next = (self.next + 1) % self.pool.len();
        buf.clear();
        buf.extend_from_slice(&e.frame);
        let tsn = self.tsn[e.assoc];
        self.tsn[e.assoc] = tsn.wrapping_add(1);
        if buf.len() > TSN_AT + 4 && buf[SCTP_AT + 12] == 0 {
            buf[TSN_AT..TSN_AT + 4].copy_from_slice(&tsn.to_be_bytes());
            fix_sctp_checksum(&mut buf[SCTP_AT..]);
        }
        self.ts += self.gap_ns;
        self.ts
    }

    /// Write `frames` frames as a pcap file.
    pub fn write_pcap(&mut self, frames: u64, out: &mut impl Write) -> std::io::Result<()> {
        crate::pcap::write_header(out)?;
        let mut buf = Vec::with_capacity(512);
        for _ in 0..frames {
            let ts = self.next_frame(&mut buf);
            crate::pcap::write_record(out, ts, &buf)?;
        }
        Ok(())
    }
}
