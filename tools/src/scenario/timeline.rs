//! The timeline a scenario is written on: dialogues and keep-alives at capture times, on the
//! links between the home network and every peer, rendered to frames in time order.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use decoder::diameter::{avp, emit_diameter, ApplicationId, AvpSpec, CommandCode, DiameterSpec};
use decoder::ip::parse_ipv4_packet;
use decoder::link::parse_link_ethernet;
use decoder::map::MapArg;
use decoder::sctp::fix_sctp_checksum;
use decoder::tcap::{emit_tcap, ComponentSpec, TcapKind, TcapSpec};

use super::truth::Truth;
use super::{Capture, Rng};
use crate::net::{self, Net, CHINA_UNICOM, HOME};
use crate::wire::{arp, Bearer, Dir, Link, LinkOptions, Sccp};

pub(crate) const US: u64 = 1_000;
pub(crate) const MS: u64 = 1_000_000;
pub(crate) const SEC: u64 = 1_000_000_000;
pub(crate) const MIN: u64 = 60 * SEC;
pub(crate) const HOUR: u64 = 60 * MIN;
pub(crate) const DAY: u64 = 24 * HOUR;

/// The capture's start: 2026-10-01 00:00:00 UTC.
pub(crate) const T0: u64 = 1_790_812_800 * SEC;

/// SSNs (3GPP TS 23.003 §8.1).
pub(crate) mod ssn {
    pub(crate) const HLR: u8 = 6;
    pub(crate) const VLR: u8 = 7;
    pub(crate) const MSC: u8 = 8;
    pub(crate) const GMLC: u8 = 145;
    pub(crate) const GSMSCF: u8 = 147;
}

/// Application context of a MAP operation (3GPP TS 29.002 §17.3.3), version 3.
pub(crate) fn acn(op: i64) -> String {
    let (ac, v) = match op {
        2 | 57 => (1, 3),
        3 => (2, 3),
        7 | 8 => (16, 3),
        22 => (5, 3),
        23 => (32, 3),
        44 => (25, 3),
        45 => (20, 3),
        56 => (14, 3),
        58 => (26, 2),
        67 => (27, 3),
        70 => (28, 3),
        71 => (29, 3),
        83 => (38, 3),
        85 => (37, 3),
        _ => (1, 3),
    };
    format!("0.4.0.0.1.0.{ac}.{v}")
}

/// A MAP request: its SCCP envelope, operation, argument and ground truth.
#[derive(Debug, Clone)]
pub(crate) struct Invoke {
    pub(crate) env: Sccp,
    pub(crate) op: i64,
    pub(crate) param: Vec<u8>,
    pub(crate) truth: Truth,
}

/// The answer to a request (the same operation): its result and ground truth.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub(crate) param: Vec<u8>,
    pub(crate) truth: Truth,
}

/// A Diameter request with the AVPs beyond the common ones, and the truths of it and of its
/// answer.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub(crate) cmd: CommandCode,
    pub(crate) app: ApplicationId,
    pub(crate) avps: Vec<AvpSpec>,
    pub(crate) truth: Truth,
    pub(crate) answer: Truth,
    /// Origin-Host and Origin-Realm other than the peer's own (a sender that hides behind
    /// it, or names itself as nobody's).
    pub(crate) origin: Option<(String, String)>,
}

/// One thing happening on a link.
#[derive(Debug, Clone)]
enum Ev {
    /// SS7 messages (bundled when several).
    Ss7 {
        link: usize,
        dir: Dir,
        msgs: Vec<(Sccp, TcapSpec, Option<Truth>)>,
    },
    /// A Diameter message.
    Dia {
        link: usize,
        dir: Dir,
        spec: DiameterSpec,
        truth: Option<Box<Truth>>,
    },
    /// An SCTP SACK.
    Sack { link: usize, dir: Dir },
    /// A heartbeat.
    Beat { link: usize, dir: Dir },
    /// ARP.
    Arp(u8),
    /// A frame of the link corrupted on purpose (its M3UA length field is wrong).
    Broken {
        link: usize,
        dir: Dir,
        op: i64,
        target: String,
    },
}

/// A scenario's timeline: what happens when, on which link.
pub(crate) struct Timeline {
    pub(crate) rng: Rng,
    events: Vec<(u64, u64, Ev)>,
    seq: u64,
    tid: u32,
    hbh: u32,
    links: Vec<Link>,
    ss7: BTreeMap<&'static str, usize>,
    dia: BTreeMap<&'static str, usize>,
}

impl Timeline {
    /// An empty timeline with a link of each kind to every network of the directory.
    pub(crate) fn new(seed: u64) -> Timeline {
        let mut b = Timeline {
            rng: Rng::new(seed),
            events: Vec::new(),
            seq: 0,
            tid: 0x0100_0000,
            hbh: 1,
            links: Vec::new(),
            ss7: BTreeMap::new(),
            dia: BTreeMap::new(),
        };
        // Home-internal signalling (VLR and gsmSCF to HLR) on a link of its own.
        b.ss7.insert(HOME.name, 0);
        b.links.push(Link::new(
            HOME.ip,
            Ipv4Addr::new(10, 0, 0, 10),
            Bearer::M3ua,
            LinkOptions::default(),
            99,
        ));
        let mut id = 1;
        for n in net::DIRECTORY {
            let (bearer, opts) = ss7_link(n);
            b.ss7.insert(n.name, b.links.len());
            b.links.push(Link::new(HOME.ip, n.ip, bearer, opts, id));
            id += 1;
            let dia_bearer = if n.country == "MX" {
                Bearer::DiameterTcp
            } else {
                Bearer::DiameterSctp
            };
            let dia_ip = Ipv4Addr::new(10, 1, n.ip.octets()[2], 1);
            b.dia.insert(n.name, b.links.len());
            b.links.push(Link::new(
                Ipv4Addr::new(10, 1, 0, 1),
                dia_ip,
                dia_bearer,
                LinkOptions {
                    split_tcp: dia_bearer == Bearer::DiameterTcp,
                    ..LinkOptions::default()
                },
                id,
            ));
            id += 1;
        }
        b
    }

    fn at(&mut self, ts: u64, ev: Ev) {
        self.seq += 1;
        self.events.push((ts, self.seq, ev));
    }

    pub(crate) fn tid(&mut self) -> u32 {
        self.tid = self.tid.wrapping_add(1);
        self.tid
    }

    /// A request and its answer: a Begin from the requester and an End back after 5 to 45 ms.
    pub(crate) fn dialogue(
        &mut self,
        ts: u64,
        peer: &Net,
        dir: Dir,
        req: Invoke,
        answer: Option<Answer>,
    ) {
        let link = self.ss7[peer.name];
        let otid = self.tid();
        let Invoke {
            env,
            op,
            param,
            truth,
        } = req;
        let begin = TcapSpec {
            kind: TcapKind::Begin,
            otid: Some(otid),
            dtid: None,
            acn: Some(acn(op)),
            components: vec![ComponentSpec::invoke(1, op, param)],
        };
        let back = env.reversed();
        let msgs = vec![(env, begin, Some(truth))];
        self.at(ts, Ev::Ss7 { link, dir, msgs });
        if let Some(Answer { param, truth }) = answer {
            let end = TcapSpec {
                kind: TcapKind::End,
                otid: None,
                dtid: Some(otid),
                acn: Some(acn(op)),
                components: vec![ComponentSpec::result(1, op, param)],
            };
            let delay = 5 * MS + self.rng.below(40) * MS;
            let msgs = vec![(back, end, Some(truth))];
            let dir = dir.reversed();
            self.at(ts + delay, Ev::Ss7 { link, dir, msgs });
        }
    }

    /// Several Begins without answers, bundled in one SCTP packet, and the peer's SACK 2 ms
    /// later.
    pub(crate) fn bundle(&mut self, ts: u64, peer: &Net, dir: Dir, reqs: Vec<Invoke>) {
        let link = self.ss7[peer.name];
        let mut msgs = Vec::new();
        for r in reqs {
            let tid = self.tid();
            let spec = TcapSpec {
                kind: TcapKind::Begin,
                otid: Some(tid),
                dtid: None,
                acn: Some(acn(r.op)),
                components: vec![ComponentSpec::invoke(1, r.op, r.param)],
            };
            msgs.push((r.env, spec, Some(r.truth)));
        }
        self.at(ts, Ev::Ss7 { link, dir, msgs });
        let dir = dir.reversed();
        self.at(ts + 2 * MS, Ev::Sack { link, dir });
    }

    /// A Diameter request between `peer` and the home network, and its answer (Result-Code
    /// 2001) after 3 to 23 ms.
    pub(crate) fn diameter(&mut self, ts: u64, peer: &Net, dir: Dir, req: Request) {
        let link = self.dia[peer.name];
        self.hbh = self.hbh.wrapping_add(1);
        let hbh = self.hbh;
        let (o, d) = if dir == Dir::In {
            (peer, &HOME)
        } else {
            (&HOME, peer)
        };
        let Request {
            cmd,
            app,
            avps,
            truth,
            answer,
            origin,
        } = req;
        let kind = if app == ApplicationId::S6A {
            "mme"
        } else {
            "gmlc"
        };
        let session = origin
            .as_ref()
            .map_or_else(|| o.host("mme", 1), |(h, _)| h.clone());
        let (origin_host, origin_realm) = origin.unwrap_or_else(|| (o.host(kind, 1), o.realm()));
        let mut req_avps = vec![
            AvpSpec::utf8(avp::SESSION_ID, &format!("{session};{hbh}")),
            AvpSpec::u32(avp::AUTH_APPLICATION_ID, app.0),
            AvpSpec::utf8(avp::ORIGIN_HOST, &origin_host),
            AvpSpec::utf8(avp::ORIGIN_REALM, &origin_realm),
            AvpSpec::utf8(avp::DESTINATION_REALM, &d.realm()),
        ];
        req_avps.extend(avps);
        let spec = DiameterSpec {
            request: true,
            cmd,
            app,
            hbh,
            e2e: hbh,
            avps: req_avps,
        };
        let truth = Some(Box::new(truth));
        self.at(
            ts,
            Ev::Dia {
                link,
                dir,
                spec,
                truth,
            },
        );
        let spec = DiameterSpec {
            request: false,
            cmd,
            app,
            hbh,
            e2e: hbh,
            avps: vec![
                AvpSpec::utf8(avp::SESSION_ID, &format!("{};{hbh}", o.host("mme", 1))),
                AvpSpec::u32(avp::RESULT_CODE, 2001),
                AvpSpec::u32(avp::AUTH_APPLICATION_ID, app.0),
                AvpSpec::utf8(avp::ORIGIN_HOST, &d.host("hss", 1)),
                AvpSpec::utf8(avp::ORIGIN_REALM, &d.realm()),
            ],
        };
        let delay = 3 * MS + self.rng.below(20) * MS;
        let truth = Some(Box::new(answer));
        let dir = dir.reversed();
        self.at(
            ts + delay,
            Ev::Dia {
                link,
                dir,
                spec,
                truth,
            },
        );
    }

    /// A SendIMSI from `peer` whose M3UA length field claims far more than the frame holds.
    pub(crate) fn broken(&mut self, ts: u64, peer: &Net, op: i64, target: String) {
        let link = self.ss7[peer.name];
        let dir = Dir::In;
        self.at(
            ts,
            Ev::Broken {
                link,
                dir,
                op,
                target,
            },
        );
    }

    /// A heartbeat on every SCTP link in turn, one every `every` over `[from, until)`, and an
    /// ARP request after every seventh.
    pub(crate) fn keepalives(&mut self, from: u64, until: u64, every: u64) {
        let links = self.links.len();
        let mut ts = from;
        let mut k = 0usize;
        while ts < until {
            let link = k % links;
            if self.links[link].bearer() != Bearer::DiameterTcp {
                self.at(ts, Ev::Beat { link, dir: Dir::In });
            }
            if k.is_multiple_of(7) {
                self.at(ts + SEC, Ev::Arp((k % 200) as u8 + 10));
            }
            ts += every;
            k += 1;
        }
    }

    /// The frames, in time order, with the ground truth and the policy.
    pub(crate) fn render(mut self) -> Capture {
        self.events.sort_by_key(|(ts, seq, _)| (*ts, *seq));
        let mut cap = Capture::default();
        let mut last_ts = 0u64;
        let mut stamp = |ts: u64| {
            // Frames of one event a microsecond apart; never back in time.
            let t = ts.max(last_ts + US);
            last_ts = t;
            t
        };
        let events = std::mem::take(&mut self.events);
        for (ts, _, ev) in events {
            match ev {
                Ev::Ss7 { link, dir, msgs } => {
                    let wire: Vec<(Sccp, Vec<u8>)> = msgs
                        .iter()
                        .map(|(env, spec, _)| {
                            let mut t = Vec::new();
                            emit_tcap(&mut t, spec);
                            (env.clone(), t)
                        })
                        .collect();
                    for f in self.links[link].ss7(dir, &wire) {
                        cap.frames.push((stamp(ts), f));
                    }
                    let n = cap.frames.len() as u64;
                    for mut t in msgs.into_iter().filter_map(|(_, _, t)| t) {
                        t.frame = n;
                        cap.truth.push(t);
                    }
                }
                Ev::Dia {
                    link,
                    dir,
                    spec,
                    truth,
                } => {
                    let mut d = Vec::new();
                    emit_diameter(&mut d, &spec);
                    for f in self.links[link].diameter(dir, &d) {
                        cap.frames.push((stamp(ts), f));
                    }
                    if let Some(mut t) = truth {
                        t.frame = cap.frames.len() as u64;
                        cap.truth.push(*t);
                    }
                }
                Ev::Sack { link, dir } => {
                    let f = self.links[link].sack(dir);
                    cap.frames.push((stamp(ts), f));
                }
                Ev::Beat { link, dir } => {
                    let f = self.links[link].heartbeat(dir);
                    cap.frames.push((stamp(ts), f));
                }
                Ev::Arp(n) => cap.frames.push((stamp(ts), arp(n))),
                Ev::Broken {
                    link,
                    dir,
                    op,
                    target,
                } => {
                    for f in self.broken_frames(link, dir, op, &target) {
                        cap.frames.push((stamp(ts), f));
                    }
                    cap.broken.push(cap.frames.len() as u64);
                }
            }
        }
        cap.policy = net::policy_toml();
        cap
    }

    /// The frames of a SendIMSI whose M3UA length claims far more than the chunk holds.
    fn broken_frames(&mut self, link: usize, dir: Dir, op: i64, target: &str) -> Vec<Vec<u8>> {
        let spec = TcapSpec {
            kind: TcapKind::Begin,
            otid: Some(0xdead_0000),
            dtid: None,
            acn: None,
            components: vec![ComponentSpec::invoke(1, op, MapArg::send_imsi(target))],
        };
        let mut t = Vec::new();
        emit_tcap(&mut t, &spec);
        let env = Sccp {
            calling: CHINA_UNICOM.gt(300),
            calling_ssn: ssn::GSMSCF,
            called: HOME.gt(100),
            called_ssn: ssn::HLR,
        };
        let mut frames = self.links[link].ss7(dir, &[(env, t)]);
        if let Some(f) = frames.last_mut() {
            let at = f.len().saturating_sub(5);
            if let Some(pos) = find_m3ua(f) {
                // The M3UA length field sits 4 bytes into the common header.
                f[pos + 6] = 0x7f;
                // A sender that got the length wrong still checksums what it sends.
                if let Some(sctp) = sctp_offset(f) {
                    fix_sctp_checksum(&mut f[sctp..]);
                }
            } else if at > 0 {
                f.truncate(at);
            }
        }
        frames
    }
}

/// The SS7 link to a peer: M2PA with fragmented user messages to Barbados, M3UA elsewhere,
/// with VLAN tags to France (and XUDT segmentation) and China (two tags).
fn ss7_link(n: &Net) -> (Bearer, LinkOptions) {
    match n.country {
        "BB" => (
            Bearer::M2pa,
            LinkOptions {
                fragment_above: 90,
                ..LinkOptions::default()
            },
        ),
        "FR" => (
            Bearer::M3ua,
            LinkOptions {
                vlans: vec![100],
                xudt_above: 60,
                ..LinkOptions::default()
            },
        ),
        "CN" => (
            Bearer::M3ua,
            LinkOptions {
                vlans: vec![200, 300],
                ..LinkOptions::default()
            },
        ),
        _ => (Bearer::M3ua, LinkOptions::default()),
    }
}

/// Where the SCTP packet of an Ethernet/IPv4 frame starts.
fn sctp_offset(f: &[u8]) -> Option<usize> {
    let link = parse_link_ethernet(f).ok()?;
    let ip = parse_ipv4_packet(link.payload).ok()?;
    (ip.fragment.is_none()).then_some(link.offset + ip.offset)
}

/// Where an M3UA common header (version 1, reserved 0, class 1, type 1) starts in a frame.
fn find_m3ua(f: &[u8]) -> Option<usize> {
    f.windows(4).position(|w| w == [1, 0, 1, 1])
}
