//! Scenarios: timelines of signalling between the home network and its peers, rendered to
//! frames, with a ground-truth record per message.
//!
//! The seed scenario is a day on a US carrier's interconnect: subscribers at home and roaming
//! abroad, inbound roamers, short messages, home-internal look-ups, and the attacks of the
//! mission (mass tracking from one state operator, SRI and PSL sweeps through two Caribbean
//! carriers, a coordinated campaign from all three, category 2 and 3 abuse, Diameter SLh and
//! Sh queries) with malformed frames and the usual keep-alives in between.

use std::collections::BTreeMap;
use std::io::Write;

use decoder::diameter::{avp, emit_diameter, ApplicationId, AvpSpec, CommandCode, DiameterSpec};
use decoder::ip::parse_ipv4_packet;
use decoder::link::parse_link_ethernet;
use decoder::map::{imsi_octets, MapArg};
use decoder::sctp::fix_sctp_checksum;
use decoder::tcap::{emit_tcap, ComponentSpec, TcapKind, TcapSpec};
use serde::Serialize;

use crate::net::{
    self, home_sub, Net, BATELCO_BS, CHINA_UNICOM, DIGICEL_JM, FLOW_BB, HOME, ORANGE_FR, ROAMING,
    TELCEL_MX, VODAFONE_UK,
};
use crate::wire::{arp, Bearer, Dir, Link, LinkOptions, Sccp};

/// A deterministic random source (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// Seeded.
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5851_f42d_4c95_7f2d)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// Whom a message concerns, in the truth file.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct TruthTarget {
    /// IMSI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imsi: Option<String>,
    /// MSISDN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub msisdn: Option<String>,
}

/// What one message is, for scoring sigwatch.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Truth {
    /// The frame that carries (or completes) the message.
    pub frame: u64,
    /// `legit` or `attack`.
    pub label: &'static str,
    /// What kind of traffic (`ati_tracking`, `roamer_update`, ...).
    pub kind: &'static str,
    /// `map` or `diameter`.
    pub proto: &'static str,
    /// MAP operation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub op: Option<u8>,
    /// Diameter command.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cmd: Option<u32>,
    /// Sending operator.
    pub source_operator: &'static str,
    /// Sending country.
    pub source_country: &'static str,
    /// Whom it concerns.
    pub target: TruthTarget,
    /// The alert category sigwatch should raise (attacks only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expect: Option<&'static str>,
    /// Part of the coordinated campaign.
    #[serde(skip_serializing_if = "core::ops::Not::not")]
    pub campaign: bool,
}

/// A rendered scenario.
#[derive(Debug, Clone, Default)]
pub struct Capture {
    /// Frames in capture order, with their capture time (ns).
    pub frames: Vec<(u64, Vec<u8>)>,
    /// One record per message.
    pub truth: Vec<Truth>,
    /// The matching policy file.
    pub policy: String,
    /// Frames (numbered from 1) corrupted on purpose: an M3UA length that claims more than the
    /// SCTP user message holds. A decoder must call them malformed.
    pub broken: Vec<u64>,
}

impl Capture {
    /// The frames as a pcap file.
    pub fn write_pcap(&self, out: &mut impl Write) -> std::io::Result<()> {
        crate::pcap::write_header(out)?;
        for (ts, f) in &self.frames {
            crate::pcap::write_record(out, *ts, f)?;
        }
        Ok(())
    }

    /// The ground truth as JSON lines.
    pub fn write_truth(&self, out: &mut impl Write) -> std::io::Result<()> {
        for t in &self.truth {
            serde_json::to_writer(&mut *out, t)?;
            out.write_all(b"\n")?;
        }
        Ok(())
    }
}

const US: u64 = 1_000;
const SEC: u64 = 1_000_000_000;
const MIN: u64 = 60 * SEC;
const HOUR: u64 = 60 * MIN;

/// The capture's start: 2026-10-01 00:00:00 UTC.
pub const T0: u64 = 1_790_812_800 * SEC;

/// SSNs (3GPP TS 23.003 §8.1).
mod ssn {
    pub(crate) const HLR: u8 = 6;
    pub(crate) const VLR: u8 = 7;
    pub(crate) const MSC: u8 = 8;
    pub(crate) const GMLC: u8 = 145;
    pub(crate) const GSMSCF: u8 = 147;
}

/// Application context of a MAP operation (3GPP TS 29.002 §17.3.3), version 3.
fn acn(op: i64) -> String {
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
        truth: Option<Truth>,
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

/// Builds a scenario's timeline.
struct Builder {
    rng: Rng,
    events: Vec<(u64, u64, Ev)>,
    seq: u64,
    tid: u32,
    hbh: u32,
    links: Vec<Link>,
    ss7: BTreeMap<&'static str, usize>,
    dia: BTreeMap<&'static str, usize>,
}

fn truth(
    label: &'static str,
    kind: &'static str,
    from: &Net,
    op: Option<u8>,
    cmd: Option<u32>,
    imsi: Option<&str>,
    msisdn: Option<&str>,
) -> Truth {
    Truth {
        frame: 0,
        label,
        kind,
        proto: if op.is_some() { "map" } else { "diameter" },
        op,
        cmd,
        source_operator: from.name,
        source_country: from.country,
        target: TruthTarget {
            imsi: imsi.map(str::to_owned),
            msisdn: msisdn.map(str::to_owned),
        },
        expect: None,
        campaign: false,
    }
}

impl Builder {
    fn new(seed: u64) -> Builder {
        let mut b = Builder {
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
            std::net::Ipv4Addr::new(10, 0, 0, 10),
            Bearer::M3ua,
            LinkOptions::default(),
            99,
        ));
        let mut id = 1;
        for n in net::DIRECTORY {
            let (bearer, opts) = match n.country {
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
            };
            b.ss7.insert(n.name, b.links.len());
            b.links.push(Link::new(HOME.ip, n.ip, bearer, opts, id));
            id += 1;
            let dia_bearer = if n.country == "MX" {
                Bearer::DiameterTcp
            } else {
                Bearer::DiameterSctp
            };
            let dia_ip = std::net::Ipv4Addr::new(10, 1, n.ip.octets()[2], 1);
            b.dia.insert(n.name, b.links.len());
            b.links.push(Link::new(
                std::net::Ipv4Addr::new(10, 1, 0, 1),
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

    fn tid(&mut self) -> u32 {
        self.tid = self.tid.wrapping_add(1);
        self.tid
    }

    /// A request and its answer: a Begin from `from` and an End back after a few ms.
    #[allow(clippy::too_many_arguments)]
    fn dialogue(
        &mut self,
        ts: u64,
        peer: &Net,
        dir: Dir,
        req: (Sccp, i64, Vec<u8>, Truth),
        answer: Option<(i64, Vec<u8>, Truth)>,
    ) {
        let link = self.ss7[peer.name];
        let otid = self.tid();
        let (env, op, param, t) = req;
        let begin = TcapSpec {
            kind: TcapKind::Begin,
            otid: Some(otid),
            dtid: None,
            acn: Some(acn(op)),
            components: vec![ComponentSpec::invoke(1, op, param)],
        };
        let back = Sccp {
            calling: env.called.clone(),
            calling_ssn: env.called_ssn,
            called: env.calling.clone(),
            called_ssn: env.calling_ssn,
        };
        self.at(
            ts,
            Ev::Ss7 {
                link,
                dir,
                msgs: vec![(env, begin, Some(t))],
            },
        );
        if let Some((aop, aparam, at)) = answer {
            let dtid = otid;
            let end = TcapSpec {
                kind: TcapKind::End,
                otid: None,
                dtid: Some(dtid),
                acn: Some(acn(op)),
                components: vec![ComponentSpec::result(1, aop, aparam)],
            };
            let rev = if dir == Dir::In { Dir::Out } else { Dir::In };
            let delay = 5 * 1_000_000 + self.rng.below(40) * 1_000_000;
            self.at(
                ts + delay,
                Ev::Ss7 {
                    link,
                    dir: rev,
                    msgs: vec![(back, end, Some(at))],
                },
            );
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn diameter(
        &mut self,
        ts: u64,
        peer: &Net,
        dir: Dir,
        cmd: CommandCode,
        app: ApplicationId,
        avps: Vec<AvpSpec>,
        t: Truth,
        answer: Truth,
    ) {
        let link = self.dia[peer.name];
        self.hbh = self.hbh.wrapping_add(1);
        let hbh = self.hbh;
        let (o, d) = if dir == Dir::In {
            (peer, &HOME)
        } else {
            (&HOME, peer)
        };
        let mut req_avps = vec![
            AvpSpec::utf8(avp::SESSION_ID, &format!("{};{hbh}", o.host("mme", 1))),
            AvpSpec::u32(avp::AUTH_APPLICATION_ID, app.0),
            AvpSpec::utf8(
                avp::ORIGIN_HOST,
                &o.host(
                    if app == ApplicationId::S6A {
                        "mme"
                    } else {
                        "gmlc"
                    },
                    1,
                ),
            ),
            AvpSpec::utf8(avp::ORIGIN_REALM, &o.realm()),
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
        self.at(
            ts,
            Ev::Dia {
                link,
                dir,
                spec,
                truth: Some(t),
            },
        );
        let ans = DiameterSpec {
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
        let rev = if dir == Dir::In { Dir::Out } else { Dir::In };
        let delay = 3 * 1_000_000 + self.rng.below(20) * 1_000_000;
        self.at(
            ts + delay,
            Ev::Dia {
                link,
                dir: rev,
                spec: ans,
                truth: Some(answer),
            },
        );
    }

    fn render(mut self) -> Capture {
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
                    let frames = self.links[link].ss7(dir, &wire);
                    for f in frames {
                        cap.frames.push((stamp(ts), f));
                    }
                    let n = cap.frames.len() as u64;
                    for (_, _, t) in msgs {
                        if let Some(mut t) = t {
                            t.frame = n;
                            cap.truth.push(t);
                        }
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
                        cap.truth.push(t);
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
                    let spec = TcapSpec {
                        kind: TcapKind::Begin,
                        otid: Some(0xdead_0000),
                        dtid: None,
                        acn: None,
                        components: vec![ComponentSpec::invoke(1, op, MapArg::send_imsi(&target))],
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
                        // The M3UA length field sits 8 bytes into the DATA chunk's user data;
                        // make it claim far more than the chunk holds.
                        let at = f.len().saturating_sub(5);
                        if let Some(pos) = find_m3ua(f) {
                            f[pos + 6] = 0x7f;
                            // A sender that got the length wrong still checksums what it sends.
                            if let Some(sctp) = sctp_offset(f) {
                                fix_sctp_checksum(&mut f[sctp..]);
                            }
                        } else if at > 0 {
                            f.truncate(at);
                        }
                    }
                    for f in frames {
                        cap.frames.push((stamp(ts), f));
                    }
                    cap.broken.push(cap.frames.len() as u64);
                }
            }
        }
        cap.policy = net::policy_toml();
        cap
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

/// Where a subscriber is roaming.
#[derive(Debug, Clone)]
struct Roamer {
    n: u64,
    at: &'static Net,
    arrived: u64,
    diameter: bool,
    moves: bool,
}

/// The seed scenario (see the module documentation). Sizes scale with `scale` (1 = about
/// 30,000 frames).
pub fn seed(seed_value: u64, scale: u64) -> Capture {
    let scale = scale.max(1);
    let mut b = Builder::new(seed_value);
    let hlr = HOME.gt(100);
    let msc = |k: u64| HOME.gt(200 + (k % 8) as u32);
    let gsmscf = HOME.gt(300);
    let gmlc = HOME.gt(400);
    let day = 24 * HOUR;

    let n_home = 1500 * scale;
    // Subscribers at home: the home VLR registers them (home-internal, location baseline).
    for k in 0..n_home {
        let (imsi, msisdn) = home_sub(k);
        let ts = T0 + k * (2 * HOUR / n_home.max(1)) + b.rng.below(SEC);
        let env = Sccp {
            calling: msc(k),
            calling_ssn: ssn::VLR,
            called: hlr.clone(),
            called_ssn: ssn::HLR,
        };
        let t = truth(
            "legit",
            "home_update",
            &HOME,
            Some(2),
            None,
            Some(&imsi),
            Some(&msisdn),
        );
        let a = truth(
            "legit",
            "hlr_answer",
            &HOME,
            Some(2),
            None,
            Some(&imsi),
            None,
        );
        b.dialogue(
            ts,
            &HOME,
            Dir::Out,
            (env, 2, MapArg::update_location(&imsi, &msc(k), &msc(k)), t),
            Some((2, MapArg::update_location_res(&hlr), a)),
        );
    }

    // Outbound roamers.
    let n_roam = 600 * scale;
    let mut roamers = Vec::new();
    for i in 0..n_roam {
        let n = n_home + i;
        let at = ROAMING[(i % 4) as usize];
        let arrived = T0 + 3 * HOUR + b.rng.below(5 * HOUR);
        let diameter = at.country == "MX" || i % 3 == 0;
        roamers.push(Roamer {
            n,
            at,
            arrived,
            diameter,
            moves: i % 6 == 5,
        });
    }
    // The roamer who flew Seattle -> London: at home an hour in, in the UK ten hours later.
    roamers[0].at = &VODAFONE_UK;
    roamers[0].diameter = false;
    roamers[0].moves = false;
    roamers[0].arrived = T0 + 11 * HOUR;
    {
        let (imsi, msisdn) = home_sub(roamers[0].n);
        let env = Sccp {
            calling: msc(1),
            calling_ssn: ssn::VLR,
            called: hlr.clone(),
            called_ssn: ssn::HLR,
        };
        let t = truth(
            "legit",
            "home_update",
            &HOME,
            Some(2),
            None,
            Some(&imsi),
            Some(&msisdn),
        );
        let a = truth(
            "legit",
            "hlr_answer",
            &HOME,
            Some(2),
            None,
            Some(&imsi),
            None,
        );
        b.dialogue(
            T0 + HOUR,
            &HOME,
            Dir::Out,
            (env, 2, MapArg::update_location(&imsi, &msc(1), &msc(1)), t),
            Some((2, MapArg::update_location_res(&hlr), a)),
        );
    }
    let mut uk_pair: Option<(u64, String)> = None;
    for r in roamers.clone() {
        let (imsi, msisdn) = home_sub(r.n);
        register(&mut b, &r, r.at, r.arrived, &imsi, &msisdn, &hlr);
        // Periodic authentication every two hours while there. A roamer who moves on leaves
        // after a few hours and flies for the rest of the twelve (no network sees them).
        let until = if r.moves {
            r.arrived + 3 * HOUR
        } else {
            T0 + day
        };
        let mut ts = r.arrived + 2 * HOUR + b.rng.below(10 * MIN);
        while ts < until {
            if r.diameter {
                let mut avps = vec![AvpSpec::utf8(avp::USER_NAME, &imsi)];
                avps.push(AvpSpec::tgpp(avp::VISITED_PLMN_ID, r.at.plmn_octets()));
                let t = truth(
                    "legit",
                    "roamer_auth",
                    r.at,
                    None,
                    Some(318),
                    Some(&imsi),
                    None,
                );
                let a = truth(
                    "legit",
                    "hss_answer",
                    &HOME,
                    None,
                    Some(318),
                    Some(&imsi),
                    None,
                );
                b.diameter(
                    ts,
                    r.at,
                    Dir::In,
                    CommandCode::AUTHENTICATION_INFORMATION,
                    ApplicationId::S6A,
                    avps,
                    t,
                    a,
                );
            } else if r.at.country == "GB" {
                // Two roamers' requests bundled in one SCTP packet.
                match uk_pair.take() {
                    None => uk_pair = Some((ts, imsi.clone())),
                    Some((t0, other)) => {
                        let mut msgs = Vec::new();
                        for who in [&other, &imsi] {
                            let env = Sccp {
                                calling: VODAFONE_UK.gt(200),
                                calling_ssn: ssn::VLR,
                                called: hlr.clone(),
                                called_ssn: ssn::HLR,
                            };
                            let tid = b.tid();
                            let spec = TcapSpec {
                                kind: TcapKind::Begin,
                                otid: Some(tid),
                                dtid: None,
                                acn: Some(acn(56)),
                                components: vec![ComponentSpec::invoke(
                                    1,
                                    56,
                                    MapArg::send_authentication_info(who),
                                )],
                            };
                            msgs.push((
                                env,
                                spec,
                                Some(truth(
                                    "legit",
                                    "roamer_auth",
                                    &VODAFONE_UK,
                                    Some(56),
                                    None,
                                    Some(who),
                                    None,
                                )),
                            ));
                        }
                        let link = b.ss7[VODAFONE_UK.name];
                        b.at(
                            t0.max(ts),
                            Ev::Ss7 {
                                link,
                                dir: Dir::In,
                                msgs,
                            },
                        );
                        b.at(
                            t0.max(ts) + 2 * 1_000_000,
                            Ev::Sack {
                                link,
                                dir: Dir::Out,
                            },
                        );
                    }
                }
            } else {
                let env = Sccp {
                    calling: r.at.gt(200),
                    calling_ssn: ssn::VLR,
                    called: hlr.clone(),
                    called_ssn: ssn::HLR,
                };
                let t = truth(
                    "legit",
                    "roamer_auth",
                    r.at,
                    Some(56),
                    None,
                    Some(&imsi),
                    None,
                );
                let a = truth(
                    "legit",
                    "hlr_answer",
                    &HOME,
                    Some(56),
                    None,
                    Some(&imsi),
                    None,
                );
                b.dialogue(
                    ts,
                    r.at,
                    Dir::In,
                    (env, 56, MapArg::send_authentication_info(&imsi), t),
                    Some((56, vec![0x30, 0x00], a)),
                );
            }
            ts += 2 * HOUR + b.rng.below(20 * MIN);
        }
        if r.moves && !r.diameter {
            // Onward to another partner twelve hours later; the old VLR purges them after
            // its implicit-detach timer, which is not travel.
            let next = ROAMING
                .iter()
                .copied()
                .find(|n| n.name != r.at.name && n.country != "MX")
                .unwrap_or(&ORANGE_FR);
            let moved = r.arrived + 12 * HOUR + b.rng.below(HOUR);
            let r2 = Roamer {
                at: next,
                arrived: moved,
                diameter: false,
                ..r.clone()
            };
            register(&mut b, &r2, next, moved, &imsi, &msisdn, &hlr);
            let env = Sccp {
                calling: r.at.gt(200),
                calling_ssn: ssn::VLR,
                called: hlr.clone(),
                called_ssn: ssn::HLR,
            };
            let t = truth(
                "legit",
                "old_vlr_purge",
                r.at,
                Some(67),
                None,
                Some(&imsi),
                None,
            );
            let a = truth(
                "legit",
                "hlr_answer",
                &HOME,
                Some(67),
                None,
                Some(&imsi),
                None,
            );
            b.dialogue(
                moved + 90 * MIN,
                r.at,
                Dir::In,
                (env, 67, MapArg::purge_ms(&imsi, &r.at.gt(200)), t),
                Some((67, vec![0x30, 0x00], a)),
            );
        }
    }

    // Inbound roamers: their home networks update and query them legitimately.
    let inbound: [(&Net, u64); 4] = [
        (&VODAFONE_UK, 200),
        (&ORANGE_FR, 100),
        (&TELCEL_MX, 60),
        (&FLOW_BB, 60),
    ];
    let mut uk_inbound = Vec::new();
    let mut mx_inbound = Vec::new();
    for (peer, count) in inbound {
        for k in 0..count * scale {
            let imsi = peer.imsi(k + 1);
            let ts = T0 + b.rng.below(20 * HOUR);
            if peer.country == "MX" {
                // Our MME registers them with their HSS; later their HSS updates their data.
                let avps = vec![
                    AvpSpec::utf8(avp::USER_NAME, &imsi),
                    AvpSpec::tgpp(avp::VISITED_PLMN_ID, HOME.plmn_octets()),
                ];
                let t = truth(
                    "legit",
                    "inbound_update",
                    &HOME,
                    None,
                    Some(316),
                    Some(&imsi),
                    None,
                );
                let a = truth(
                    "legit",
                    "roamer_hss_answer",
                    peer,
                    None,
                    Some(316),
                    Some(&imsi),
                    None,
                );
                b.diameter(
                    ts,
                    peer,
                    Dir::Out,
                    CommandCode::UPDATE_LOCATION,
                    ApplicationId::S6A,
                    avps,
                    t,
                    a,
                );
                let avps = vec![AvpSpec::utf8(avp::USER_NAME, &imsi)];
                let t = truth(
                    "legit",
                    "inbound_idr_from_home",
                    peer,
                    None,
                    Some(319),
                    Some(&imsi),
                    None,
                );
                let a = truth(
                    "legit",
                    "mme_answer",
                    &HOME,
                    None,
                    Some(319),
                    Some(&imsi),
                    None,
                );
                b.diameter(
                    ts + 30 * MIN,
                    peer,
                    Dir::In,
                    CommandCode::INSERT_SUBSCRIBER_DATA,
                    ApplicationId::S6A,
                    avps,
                    t,
                    a,
                );
                mx_inbound.push((imsi, ts));
                continue;
            }
            // Our VLR updates their HLR; their HLR inserts the subscriber data.
            let vlr = msc(k);
            let env = Sccp {
                calling: vlr.clone(),
                calling_ssn: ssn::VLR,
                called: peer.gt(100),
                called_ssn: ssn::HLR,
            };
            let t = truth(
                "legit",
                "inbound_update",
                &HOME,
                Some(2),
                None,
                Some(&imsi),
                None,
            );
            let a = truth(
                "legit",
                "roamer_hlr_answer",
                peer,
                Some(2),
                None,
                Some(&imsi),
                None,
            );
            b.dialogue(
                ts,
                peer,
                Dir::Out,
                (env, 2, MapArg::update_location(&imsi, &vlr, &vlr), t),
                Some((2, MapArg::update_location_res(&peer.gt(100)), a)),
            );
            let env = Sccp {
                calling: peer.gt(100),
                calling_ssn: ssn::HLR,
                called: vlr.clone(),
                called_ssn: ssn::VLR,
            };
            let msisdn = format!(
                "{}9{:05}",
                &peer.gt_prefix[..peer.gt_prefix.len().min(4)],
                k
            );
            let t = truth(
                "legit",
                "inbound_isd_from_home",
                peer,
                Some(7),
                None,
                Some(&imsi),
                None,
            );
            let a = truth(
                "legit",
                "vlr_answer",
                &HOME,
                Some(7),
                None,
                Some(&imsi),
                None,
            );
            b.dialogue(
                ts + 200 * 1_000_000,
                peer,
                Dir::In,
                (
                    env.clone(),
                    7,
                    MapArg::insert_subscriber_data(&imsi, &msisdn),
                    t,
                ),
                Some((7, vec![0x30, 0x00], a)),
            );
            if k % 4 == 0 {
                let t = truth(
                    "legit",
                    "inbound_psi_from_home",
                    peer,
                    Some(70),
                    None,
                    Some(&imsi),
                    None,
                );
                let a = truth(
                    "legit",
                    "vlr_answer",
                    &HOME,
                    Some(70),
                    None,
                    Some(&imsi),
                    None,
                );
                b.dialogue(
                    ts + 3 * HOUR,
                    peer,
                    Dir::In,
                    (env, 70, MapArg::provide_subscriber_info(&imsi), t),
                    Some((70, MapArg::any_time_interrogation_res(&vlr), a)),
                );
            }
            if peer.country == "GB" {
                uk_inbound.push((imsi, vlr, ts));
            }
        }
    }

    // Short messages to subscribers at home, from partners' SMSCs: SRI-for-SM, then the
    // message itself a few seconds later.
    for k in 0..400 * scale {
        let sub = b.rng.below(n_home);
        let (imsi, msisdn) = home_sub(sub);
        let from = if k % 2 == 0 { &VODAFONE_UK } else { &ORANGE_FR };
        let ts = T0 + 2 * HOUR + b.rng.below(21 * HOUR);
        sms(
            &mut b,
            ts,
            from,
            &imsi,
            &msisdn,
            &hlr,
            &msc(sub),
            true,
            "sms_routing",
            "legit",
            None,
        );
    }

    // Home-internal look-alikes of the attacks: the home gsmSCF, GMSC and GMLC asking.
    for k in 0..300 * scale {
        let sub = b.rng.below(n_home);
        let (imsi, msisdn) = home_sub(sub);
        let ts = T0 + 2 * HOUR + b.rng.below(21 * HOUR);
        let (env, op, param, answer) = match k % 3 {
            0 => (
                Sccp {
                    calling: gsmscf.clone(),
                    calling_ssn: ssn::GSMSCF,
                    called: hlr.clone(),
                    called_ssn: ssn::HLR,
                },
                71,
                MapArg::any_time_interrogation(Some(&msisdn), None, &gsmscf),
                MapArg::any_time_interrogation_res(&msc(sub)),
            ),
            1 => (
                Sccp {
                    calling: msc(sub + 1),
                    calling_ssn: ssn::MSC,
                    called: hlr.clone(),
                    called_ssn: ssn::HLR,
                },
                22,
                MapArg::send_routing_info(&msisdn, &msc(sub + 1)),
                MapArg::send_routing_info_res(&imsi, &msc(sub)),
            ),
            _ => (
                Sccp {
                    calling: gmlc.clone(),
                    calling_ssn: ssn::GMLC,
                    called: msc(sub),
                    called_ssn: ssn::MSC,
                },
                83,
                MapArg::provide_subscriber_location(Some(&msisdn), Some(&imsi), &gmlc),
                vec![0x30, 0x00],
            ),
        };
        let t = truth(
            "legit",
            "home_internal_lookup",
            &HOME,
            Some(op as u8),
            None,
            None,
            Some(&msisdn),
        );
        let a = truth(
            "legit",
            "home_answer",
            &HOME,
            Some(op as u8),
            None,
            Some(&imsi),
            None,
        );
        b.dialogue(
            ts,
            &HOME,
            Dir::Out,
            (env, op, param, t),
            Some((op, answer, a)),
        );
    }

    // ---- Attacks ----
    let pick = |b: &mut Builder, from: &[u64], n: u64| -> Vec<u64> {
        let mut v = from.to_vec();
        // Fisher-Yates with the scenario's generator.
        for i in (1..v.len()).rev() {
            let j = b.rng.below(i as u64 + 1) as usize;
            v.swap(i, j);
        }
        v.truncate(n as usize);
        v
    };
    let at_home: Vec<u64> = (0..n_home).collect();
    let roaming_ids: Vec<u64> = roamers.iter().skip(1).map(|r| r.n).collect();
    let shuffled_home = pick(&mut b, &at_home, n_home);
    let shuffled_roam = pick(&mut b, &roaming_ids, roaming_ids.len() as u64);
    let (campaign, rest_roam) =
        shuffled_roam.split_at((60 * scale as usize).min(shuffled_roam.len()));
    let ati_targets: Vec<u64> = rest_roam
        .iter()
        .copied()
        .take(400 * scale as usize)
        .collect();
    let mut home_iter = shuffled_home.into_iter();
    let sendimsi_targets: Vec<u64> = home_iter.by_ref().take(150 * scale as usize).collect();
    let recon_targets: Vec<u64> = home_iter.by_ref().take(250 * scale as usize).collect();
    let sri_targets: Vec<u64> = home_iter.by_ref().take(300 * scale as usize).collect();
    let psl_targets: Vec<u64> = home_iter.by_ref().take(250 * scale as usize).collect();

    // A. Mass tracking from China Unicom: ATI, SendIMSI, SRI-for-SM without a message.
    for &n in &ati_targets {
        let (imsi, msisdn) = home_sub(n);
        let ts = T0 + 4 * HOUR + b.rng.below(19 * HOUR);
        attack_map(
            &mut b,
            ts,
            &CHINA_UNICOM,
            71,
            &msisdn,
            &imsi,
            "ati_tracking",
            "cat1",
            false,
            &hlr,
        );
    }
    for &n in &sendimsi_targets {
        let (imsi, msisdn) = home_sub(n);
        let ts = T0 + 3 * HOUR + b.rng.below(20 * HOUR);
        attack_map(
            &mut b,
            ts,
            &CHINA_UNICOM,
            58,
            &msisdn,
            &imsi,
            "sendimsi_harvest",
            "cat1",
            false,
            &hlr,
        );
    }
    for &n in &recon_targets {
        let (imsi, msisdn) = home_sub(n);
        let ts = T0 + 3 * HOUR + b.rng.below(20 * HOUR);
        sms(
            &mut b,
            ts,
            &CHINA_UNICOM,
            &imsi,
            &msisdn,
            &hlr,
            &msc(n),
            false,
            "sri_sm_recon",
            "attack",
            Some("recon"),
        );
    }
    // B and C. Sweeps through two Caribbean carriers.
    for &n in &sri_targets {
        let (imsi, msisdn) = home_sub(n);
        let ts = T0 + 3 * HOUR + b.rng.below(20 * HOUR);
        attack_map(
            &mut b,
            ts,
            &BATELCO_BS,
            22,
            &msisdn,
            &imsi,
            "sri_sweep",
            "cat1",
            false,
            &hlr,
        );
    }
    for &n in &psl_targets {
        let (imsi, msisdn) = home_sub(n);
        let ts = T0 + 3 * HOUR + b.rng.below(20 * HOUR);
        attack_map(
            &mut b,
            ts,
            &DIGICEL_JM,
            83,
            &msisdn,
            &imsi,
            "psl_sweep",
            "cat1",
            false,
            &msc(n),
        );
    }
    // D. The coordinated campaign: the same roamers from all three within ten minutes.
    for (k, &n) in campaign.iter().enumerate() {
        let (imsi, msisdn) = home_sub(n);
        let base = T0 + 14 * HOUR + k as u64 * 5 * MIN;
        for (from, op) in [(&CHINA_UNICOM, 71), (&BATELCO_BS, 22), (&DIGICEL_JM, 83)] {
            let ts = base + b.rng.below(10 * MIN);
            attack_map(
                &mut b,
                ts,
                from,
                op,
                &msisdn,
                &imsi,
                "coordinated_campaign",
                "cat1",
                true,
                &hlr,
            );
        }
    }
    // E. Category 2: China Unicom asks our VLR about UK inbound roamers; Diameter IDR from
    // China for Mexican inbound roamers.
    for (imsi, vlr, arrived) in uk_inbound.iter().take(40 * scale as usize) {
        let env = Sccp {
            calling: CHINA_UNICOM.gt(100),
            calling_ssn: ssn::HLR,
            called: vlr.clone(),
            called_ssn: ssn::VLR,
        };
        let mut t = truth(
            "attack",
            "psi_not_from_home",
            &CHINA_UNICOM,
            Some(70),
            None,
            Some(imsi),
            None,
        );
        t.expect = Some("cat2");
        let a = truth(
            "legit",
            "vlr_answer",
            &HOME,
            Some(70),
            None,
            Some(imsi),
            None,
        );
        b.dialogue(
            arrived + 5 * HOUR,
            &CHINA_UNICOM,
            Dir::In,
            (env, 70, MapArg::provide_subscriber_info(imsi), t),
            Some((70, MapArg::any_time_interrogation_res(vlr), a)),
        );
    }
    for (imsi, arrived) in mx_inbound.iter().take(20 * scale as usize) {
        let avps = vec![AvpSpec::utf8(avp::USER_NAME, imsi)];
        let mut t = truth(
            "attack",
            "idr_not_from_home",
            &CHINA_UNICOM,
            None,
            Some(319),
            Some(imsi),
            None,
        );
        t.expect = Some("cat2");
        let a = truth(
            "legit",
            "mme_answer",
            &HOME,
            None,
            Some(319),
            Some(imsi),
            None,
        );
        b.diameter(
            arrived + 6 * HOUR,
            &CHINA_UNICOM,
            Dir::In,
            CommandCode::INSERT_SUBSCRIBER_DATA,
            ApplicationId::S6A,
            avps,
            t,
            a,
        );
    }
    // F. Category 3: China claims roamers an hour after they registered elsewhere.
    let staying: Vec<Roamer> = roamers
        .iter()
        .skip(1)
        .filter(|r| !r.moves && !campaign.contains(&r.n))
        .cloned()
        .collect();
    for r in staying
        .iter()
        .filter(|r| !r.diameter)
        .take(40 * scale as usize)
    {
        let (imsi, msisdn) = home_sub(r.n);
        let cn_vlr = CHINA_UNICOM.gt(200);
        let env = Sccp {
            calling: cn_vlr.clone(),
            calling_ssn: ssn::VLR,
            called: hlr.clone(),
            called_ssn: ssn::HLR,
        };
        let mut t = truth(
            "attack",
            "spoofed_update_location",
            &CHINA_UNICOM,
            Some(2),
            None,
            Some(&imsi),
            Some(&msisdn),
        );
        t.expect = Some("cat3");
        let a = truth(
            "legit",
            "hlr_answer",
            &HOME,
            Some(2),
            None,
            Some(&imsi),
            None,
        );
        b.dialogue(
            r.arrived + HOUR,
            &CHINA_UNICOM,
            Dir::In,
            (env, 2, MapArg::update_location(&imsi, &cn_vlr, &cn_vlr), t),
            Some((2, MapArg::update_location_res(&hlr), a)),
        );
    }
    for r in staying
        .iter()
        .filter(|r| r.diameter)
        .take(20 * scale as usize)
    {
        let (imsi, _) = home_sub(r.n);
        let avps = vec![
            AvpSpec::utf8(avp::USER_NAME, &imsi),
            AvpSpec::tgpp(avp::VISITED_PLMN_ID, CHINA_UNICOM.plmn_octets()),
        ];
        let mut t = truth(
            "attack",
            "spoofed_ulr",
            &CHINA_UNICOM,
            None,
            Some(316),
            Some(&imsi),
            None,
        );
        t.expect = Some("cat3");
        let a = truth(
            "legit",
            "hss_answer",
            &HOME,
            None,
            Some(316),
            Some(&imsi),
            None,
        );
        b.diameter(
            r.arrived + HOUR,
            &CHINA_UNICOM,
            Dir::In,
            CommandCode::UPDATE_LOCATION,
            ApplicationId::S6A,
            avps,
            t,
            a,
        );
    }
    // G. Diameter category 1: SLh routing-info and Sh user-data requests from China.
    for &n in ati_targets.iter().take(100 * scale as usize) {
        let (_, msisdn) = home_sub(n);
        let ts = T0 + 5 * HOUR + b.rng.below(18 * HOUR);
        let avps = vec![AvpSpec::tgpp(avp::MSISDN, imsi_octets(&msisdn))];
        let mut t = truth(
            "attack",
            "slh_routing_info",
            &CHINA_UNICOM,
            None,
            Some(8_388_622),
            None,
            Some(&msisdn),
        );
        t.expect = Some("cat1");
        let a = truth(
            "legit",
            "hss_answer",
            &HOME,
            None,
            Some(8_388_622),
            None,
            Some(&msisdn),
        );
        b.diameter(
            ts,
            &CHINA_UNICOM,
            Dir::In,
            CommandCode::LCS_ROUTING_INFO,
            ApplicationId::SLH,
            avps,
            t,
            a,
        );
    }
    for &n in sendimsi_targets.iter().take(50 * scale as usize) {
        let (_, msisdn) = home_sub(n);
        let ts = T0 + 5 * HOUR + b.rng.below(18 * HOUR);
        let uid = [AvpSpec::tgpp(avp::MSISDN, imsi_octets(&msisdn))];
        let avps = vec![AvpSpec::grouped(
            avp::USER_IDENTITY,
            Some(decoder::diameter::VENDOR_3GPP),
            &uid,
        )];
        let mut t = truth(
            "attack",
            "sh_user_data",
            &CHINA_UNICOM,
            None,
            Some(306),
            None,
            Some(&msisdn),
        );
        t.expect = Some("cat1");
        let a = truth(
            "legit",
            "hss_answer",
            &HOME,
            None,
            Some(306),
            None,
            Some(&msisdn),
        );
        b.diameter(
            ts,
            &CHINA_UNICOM,
            Dir::In,
            CommandCode::USER_DATA,
            ApplicationId::SH,
            avps,
            t,
            a,
        );
    }
    // H. Malformed frames, heartbeats, ARP.
    for k in 0..30 * scale {
        let ts = T0 + b.rng.below(day);
        let link = b.ss7[CHINA_UNICOM.name];
        b.at(
            ts,
            Ev::Broken {
                link,
                dir: Dir::In,
                op: 58,
                target: home_sub(k).1,
            },
        );
    }
    let links = b.links.len();
    let mut ts = T0;
    let mut k = 0usize;
    while ts < T0 + day {
        let link = k % links;
        if b.links[link].bearer() != Bearer::DiameterTcp {
            b.at(ts, Ev::Beat { link, dir: Dir::In });
        }
        if k.is_multiple_of(7) {
            b.at(ts + SEC, Ev::Arp((k % 200) as u8 + 10));
        }
        ts += 2 * MIN;
        k += 1;
    }
    b.render()
}

/// Register a roamer at `net` (MAP: authentication then updateLocation and the home HLR's
/// subscriber data; Diameter: AIR then ULR).
fn register(b: &mut Builder, r: &Roamer, at: &Net, ts: u64, imsi: &str, msisdn: &str, hlr: &str) {
    if r.diameter {
        let mut avps = vec![AvpSpec::utf8(avp::USER_NAME, imsi)];
        avps.push(AvpSpec::tgpp(avp::VISITED_PLMN_ID, at.plmn_octets()));
        let t = truth(
            "legit",
            "roamer_auth",
            at,
            None,
            Some(318),
            Some(imsi),
            None,
        );
        let a = truth(
            "legit",
            "hss_answer",
            &HOME,
            None,
            Some(318),
            Some(imsi),
            None,
        );
        b.diameter(
            ts,
            at,
            Dir::In,
            CommandCode::AUTHENTICATION_INFORMATION,
            ApplicationId::S6A,
            avps.clone(),
            t,
            a,
        );
        let t = truth(
            "legit",
            "roamer_update",
            at,
            None,
            Some(316),
            Some(imsi),
            None,
        );
        let a = truth(
            "legit",
            "hss_answer",
            &HOME,
            None,
            Some(316),
            Some(imsi),
            None,
        );
        b.diameter(
            ts + 2 * SEC,
            at,
            Dir::In,
            CommandCode::UPDATE_LOCATION,
            ApplicationId::S6A,
            avps,
            t,
            a,
        );
        return;
    }
    let vlr = at.gt(200);
    let env = Sccp {
        calling: vlr.clone(),
        calling_ssn: ssn::VLR,
        called: hlr.to_owned(),
        called_ssn: ssn::HLR,
    };
    let t = truth("legit", "roamer_auth", at, Some(56), None, Some(imsi), None);
    let a = truth(
        "legit",
        "hlr_answer",
        &HOME,
        Some(56),
        None,
        Some(imsi),
        None,
    );
    b.dialogue(
        ts,
        at,
        Dir::In,
        (env.clone(), 56, MapArg::send_authentication_info(imsi), t),
        Some((56, vec![0x30, 0x00], a)),
    );
    let t = truth(
        "legit",
        "roamer_update",
        at,
        Some(2),
        None,
        Some(imsi),
        Some(msisdn),
    );
    let a = truth(
        "legit",
        "hlr_answer",
        &HOME,
        Some(2),
        None,
        Some(imsi),
        None,
    );
    b.dialogue(
        ts + 2 * SEC,
        at,
        Dir::In,
        (env, 2, MapArg::update_location(imsi, &vlr, &vlr), t),
        Some((2, MapArg::update_location_res(hlr), a)),
    );
    // The home HLR sends the subscriber data to the visited VLR.
    let env = Sccp {
        calling: hlr.to_owned(),
        calling_ssn: ssn::HLR,
        called: vlr,
        called_ssn: ssn::VLR,
    };
    let t = truth(
        "legit",
        "hlr_isd_to_roamer",
        &HOME,
        Some(7),
        None,
        Some(imsi),
        Some(msisdn),
    );
    let a = truth("legit", "vlr_answer", at, Some(7), None, Some(imsi), None);
    b.dialogue(
        ts + 2 * SEC + 20 * 1_000_000,
        at,
        Dir::Out,
        (env, 7, MapArg::insert_subscriber_data(imsi, msisdn), t),
        Some((7, vec![0x30, 0x00], a)),
    );
}

/// An attack request from `from` and the home network's answer.
#[allow(clippy::too_many_arguments)]
fn attack_map(
    b: &mut Builder,
    ts: u64,
    from: &Net,
    op: i64,
    msisdn: &str,
    imsi: &str,
    kind: &'static str,
    expect: &'static str,
    campaign: bool,
    called: &str,
) {
    let (param, answer, calling_ssn, called_ssn) = match op {
        71 => (
            MapArg::any_time_interrogation(Some(msisdn), None, &from.gt(300)),
            MapArg::any_time_interrogation_res(&HOME.gt(200)),
            ssn::GSMSCF,
            ssn::HLR,
        ),
        58 => (
            MapArg::send_imsi(msisdn),
            MapArg::send_imsi_res(imsi),
            ssn::VLR,
            ssn::HLR,
        ),
        22 => (
            MapArg::send_routing_info(msisdn, &from.gt(300)),
            MapArg::send_routing_info_res(imsi, &HOME.gt(250)),
            ssn::MSC,
            ssn::HLR,
        ),
        _ => (
            MapArg::provide_subscriber_location(Some(msisdn), None, &from.gt(400)),
            vec![0x30, 0x00],
            ssn::GMLC,
            ssn::MSC,
        ),
    };
    let env = Sccp {
        calling: from.gt(300),
        calling_ssn,
        called: called.to_owned(),
        called_ssn,
    };
    let mut t = truth(
        "attack",
        kind,
        from,
        Some(op as u8),
        None,
        None,
        Some(msisdn),
    );
    t.expect = Some(expect);
    t.campaign = campaign;
    let a = truth(
        "legit",
        "hlr_answer",
        &HOME,
        Some(op as u8),
        None,
        Some(imsi),
        None,
    );
    b.dialogue(
        ts,
        from,
        Dir::In,
        (env, op, param, t),
        Some((op, answer, a)),
    );
}

/// SRI-for-SM from `from`'s SMSC, answered by the home HLR; `deliver`: the message follows.
#[allow(clippy::too_many_arguments)]
fn sms(
    b: &mut Builder,
    ts: u64,
    from: &Net,
    imsi: &str,
    msisdn: &str,
    hlr: &str,
    serving: &str,
    deliver: bool,
    kind: &'static str,
    label: &'static str,
    expect: Option<&'static str>,
) {
    let smsc = from.gt(500);
    let env = Sccp {
        calling: smsc.clone(),
        calling_ssn: ssn::MSC,
        called: hlr.to_owned(),
        called_ssn: ssn::HLR,
    };
    let mut t = truth(label, kind, from, Some(45), None, None, Some(msisdn));
    t.expect = expect;
    let a = truth(
        "legit",
        "hlr_answer",
        &HOME,
        Some(45),
        None,
        Some(imsi),
        None,
    );
    b.dialogue(
        ts,
        from,
        Dir::In,
        (env, 45, MapArg::send_routing_info_for_sm(msisdn, &smsc), t),
        Some((45, MapArg::send_routing_info_for_sm_res(imsi, serving), a)),
    );
    if deliver {
        let env = Sccp {
            calling: from.gt(600),
            calling_ssn: ssn::MSC,
            called: serving.to_owned(),
            called_ssn: ssn::MSC,
        };
        let t = truth(
            "legit",
            "sms_delivery",
            from,
            Some(44),
            None,
            Some(imsi),
            None,
        );
        let a = truth(
            "legit",
            "msc_answer",
            &HOME,
            Some(44),
            None,
            Some(imsi),
            None,
        );
        let at = ts + 2 * SEC + b.rng.below(SEC);
        b.dialogue(at, from, Dir::In, (env, 44, MapArg::mt_forward_sm(imsi, &smsc, b"\x04\x0b\x91\x21\x60\x02\x00\x10\xf7\x00\x00\x62\x50\x11\x21\x43\x65\x00\x05\xe8\x32\x9b\xfd\x06"), t), Some((44, vec![0x30, 0x00], a)));
    }
}
