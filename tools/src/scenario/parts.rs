//! The parts scenarios are written from: the home network's nodes, subscribers registering
//! at home and abroad, inbound roamers, short messages, sweeps of requests over a set of
//! targets, coordinated campaigns. Each part puts its dialogues on a [`Timeline`] and draws
//! from its random source in a fixed order, so a scenario is as deterministic as its parts.

use decoder::diameter::{avp, ApplicationId, AvpSpec, CommandCode};
use decoder::map::MapArg;

use super::timeline::{ssn, Answer, Invoke, Request, Timeline, HOUR, MIN, MS, SEC};
use super::truth::{Msg, Truth};
use crate::net::{home_sub, Net, HOME, ORANGE_FR, ROAMING, VODAFONE_UK};
use crate::wire::{Dir, Sccp};

/// The home network's nodes, by global title.
#[derive(Debug, Clone)]
pub(crate) struct HomeNodes {
    /// The HLR.
    pub(crate) hlr: String,
    /// The gsmSCF.
    pub(crate) gsmscf: String,
    /// The GMLC.
    pub(crate) gmlc: String,
}

impl HomeNodes {
    pub(crate) fn new() -> HomeNodes {
        HomeNodes {
            hlr: HOME.gt(100),
            gsmscf: HOME.gt(300),
            gmlc: HOME.gt(400),
        }
    }

    /// The MSC/VLR serving home subscriber `k` (one of eight).
    pub(crate) fn msc(&self, k: u64) -> String {
        HOME.gt(200 + (k % 8) as u32)
    }
}

/// A home subscriber: number `n` of the population, and its identities.
#[derive(Debug, Clone)]
pub(crate) struct Sub {
    pub(crate) n: u64,
    pub(crate) imsi: String,
    pub(crate) msisdn: String,
}

impl Sub {
    pub(crate) fn home(n: u64) -> Sub {
        let (imsi, msisdn) = home_sub(n);
        Sub { n, imsi, msisdn }
    }
}

/// An SCCP envelope from `calling` to `called`.
pub(crate) fn env(calling: &str, calling_ssn: u8, called: &str, called_ssn: u8) -> Sccp {
    Sccp {
        calling: calling.to_owned(),
        calling_ssn,
        called: called.to_owned(),
        called_ssn,
    }
}

/// A MAP request.
pub(crate) fn invoke(env: Sccp, op: i64, param: Vec<u8>, truth: Truth) -> Invoke {
    Invoke {
        env,
        op,
        param,
        truth,
    }
}

/// Its answer.
pub(crate) fn answer(param: Vec<u8>, truth: Truth) -> Option<Answer> {
    Some(Answer { param, truth })
}

/// The empty result most answers carry.
pub(crate) fn empty() -> Vec<u8> {
    vec![0x30, 0x00]
}

/// A Diameter request with these AVPs (beyond Session-Id, the application and the origin
/// and destination, which every request has).
pub(crate) fn request(
    cmd: CommandCode,
    app: ApplicationId,
    avps: Vec<AvpSpec>,
    truth: Truth,
    answer: Truth,
) -> Request {
    Request {
        cmd,
        app,
        avps,
        truth,
        answer,
        origin: None,
    }
}

/// The home VLR registering a home subscriber with the HLR (updateLocation).
pub(crate) fn home_update(t: &mut Timeline, ts: u64, home: &HomeNodes, s: &Sub, vlr: &str) {
    let truth = Truth::legit("home_update", &HOME, Msg::Map(2))
        .imsi(&s.imsi)
        .msisdn(&s.msisdn);
    let a = Truth::legit("hlr_answer", &HOME, Msg::Map(2)).imsi(&s.imsi);
    let req = invoke(
        env(vlr, ssn::VLR, &home.hlr, ssn::HLR),
        2,
        MapArg::update_location(&s.imsi, vlr, vlr),
        truth,
    );
    let res = answer(MapArg::update_location_res(&home.hlr), a);
    t.dialogue(ts, &HOME, Dir::Out, req, res);
}

/// Home subscribers `0..n` registering with their home VLRs, spread over the first two hours
/// from `t0`: the location baseline of everyone at home.
pub(crate) fn population_at_home(t: &mut Timeline, t0: u64, n: u64, home: &HomeNodes) {
    for k in 0..n {
        let ts = t0 + k * (2 * HOUR / n.max(1)) + t.rng.below(SEC);
        home_update(t, ts, home, &Sub::home(k), &home.msc(k));
    }
}

/// A home subscriber roaming abroad.
#[derive(Debug, Clone)]
pub(crate) struct Roamer {
    pub(crate) sub: Sub,
    /// Where.
    pub(crate) at: &'static Net,
    /// When they registered there.
    pub(crate) arrived: u64,
    /// Registered over Diameter (S6a), else MAP.
    pub(crate) diameter: bool,
    /// Leaves after a few hours and registers at another partner half a day later.
    pub(crate) moves: bool,
}

/// `n` home subscribers from number `first` on, roaming at the partners in turn, arriving
/// between 3 and 8 hours after `t0`: every third over Diameter (all of them in Mexico), every
/// sixth moving on later.
pub(crate) fn outbound_roamers(t: &mut Timeline, t0: u64, first: u64, n: u64) -> Vec<Roamer> {
    (0..n)
        .map(|i| {
            let at = ROAMING[(i % 4) as usize];
            let arrived = t0 + 3 * HOUR + t.rng.below(5 * HOUR);
            Roamer {
                sub: Sub::home(first + i),
                at,
                arrived,
                diameter: at.country == "MX" || i % 3 == 0,
                moves: i % 6 == 5,
            }
        })
        .collect()
}

/// A roamer registering at `at` (MAP: authentication, then updateLocation and the home HLR's
/// subscriber data; Diameter: AIR, then ULR).
pub(crate) fn register(t: &mut Timeline, r: &Roamer, at: &'static Net, ts: u64, home: &HomeNodes) {
    let s = &r.sub;
    if r.diameter {
        let avps = vec![
            AvpSpec::utf8(avp::USER_NAME, &s.imsi),
            AvpSpec::tgpp(avp::VISITED_PLMN_ID, at.plmn_octets()),
        ];
        let air = Msg::Diameter(318);
        let req = request(
            CommandCode::AUTHENTICATION_INFORMATION,
            ApplicationId::S6A,
            avps.clone(),
            Truth::legit("roamer_auth", at, air).imsi(&s.imsi),
            Truth::legit("hss_answer", &HOME, air).imsi(&s.imsi),
        );
        t.diameter(ts, at, Dir::In, req);
        let ulr = Msg::Diameter(316);
        let req = request(
            CommandCode::UPDATE_LOCATION,
            ApplicationId::S6A,
            avps,
            Truth::legit("roamer_update", at, ulr).imsi(&s.imsi),
            Truth::legit("hss_answer", &HOME, ulr).imsi(&s.imsi),
        );
        t.diameter(ts + 2 * SEC, at, Dir::In, req);
        return;
    }
    let vlr = at.gt(200);
    let to_hlr = env(&vlr, ssn::VLR, &home.hlr, ssn::HLR);
    let req = invoke(
        to_hlr.clone(),
        56,
        MapArg::send_authentication_info(&s.imsi),
        Truth::legit("roamer_auth", at, Msg::Map(56)).imsi(&s.imsi),
    );
    let a = Truth::legit("hlr_answer", &HOME, Msg::Map(56)).imsi(&s.imsi);
    t.dialogue(ts, at, Dir::In, req, answer(empty(), a));
    let req = invoke(
        to_hlr,
        2,
        MapArg::update_location(&s.imsi, &vlr, &vlr),
        Truth::legit("roamer_update", at, Msg::Map(2))
            .imsi(&s.imsi)
            .msisdn(&s.msisdn),
    );
    let a = Truth::legit("hlr_answer", &HOME, Msg::Map(2)).imsi(&s.imsi);
    let res = answer(MapArg::update_location_res(&home.hlr), a);
    t.dialogue(ts + 2 * SEC, at, Dir::In, req, res);
    // The home HLR sends the subscriber data to the visited VLR.
    let req = invoke(
        env(&home.hlr, ssn::HLR, &vlr, ssn::VLR),
        7,
        MapArg::insert_subscriber_data(&s.imsi, &s.msisdn),
        Truth::legit("hlr_isd_to_roamer", &HOME, Msg::Map(7))
            .imsi(&s.imsi)
            .msisdn(&s.msisdn),
    );
    let a = Truth::legit("vlr_answer", at, Msg::Map(7)).imsi(&s.imsi);
    t.dialogue(
        ts + 2 * SEC + 20 * MS,
        at,
        Dir::Out,
        req,
        answer(empty(), a),
    );
}

/// A roamer's periodic authentication with the home network while abroad, every two hours
/// or so from two hours after arrival until `until`. Roamers in the UK over MAP are paired:
/// each second request goes out bundled with the first in one SCTP packet, so `uk_pair`
/// holds the first of a pair until its partner comes.
pub(crate) fn stay(
    t: &mut Timeline,
    r: &Roamer,
    until: u64,
    home: &HomeNodes,
    uk_pair: &mut Option<(u64, String)>,
) {
    let imsi = &r.sub.imsi;
    let mut ts = r.arrived + 2 * HOUR + t.rng.below(10 * MIN);
    while ts < until {
        if r.diameter {
            let avps = vec![
                AvpSpec::utf8(avp::USER_NAME, imsi),
                AvpSpec::tgpp(avp::VISITED_PLMN_ID, r.at.plmn_octets()),
            ];
            let air = Msg::Diameter(318);
            let req = request(
                CommandCode::AUTHENTICATION_INFORMATION,
                ApplicationId::S6A,
                avps,
                Truth::legit("roamer_auth", r.at, air).imsi(imsi),
                Truth::legit("hss_answer", &HOME, air).imsi(imsi),
            );
            t.diameter(ts, r.at, Dir::In, req);
        } else if r.at.country == "GB" {
            match uk_pair.take() {
                None => *uk_pair = Some((ts, imsi.clone())),
                Some((t0, other)) => {
                    let reqs = [&other, imsi]
                        .into_iter()
                        .map(|who| {
                            invoke(
                                env(&VODAFONE_UK.gt(200), ssn::VLR, &home.hlr, ssn::HLR),
                                56,
                                MapArg::send_authentication_info(who),
                                Truth::legit("roamer_auth", &VODAFONE_UK, Msg::Map(56)).imsi(who),
                            )
                        })
                        .collect();
                    t.bundle(t0.max(ts), &VODAFONE_UK, Dir::In, reqs);
                }
            }
        } else {
            let req = invoke(
                env(&r.at.gt(200), ssn::VLR, &home.hlr, ssn::HLR),
                56,
                MapArg::send_authentication_info(imsi),
                Truth::legit("roamer_auth", r.at, Msg::Map(56)).imsi(imsi),
            );
            let a = Truth::legit("hlr_answer", &HOME, Msg::Map(56)).imsi(imsi);
            t.dialogue(ts, r.at, Dir::In, req, answer(empty(), a));
        }
        ts += 2 * HOUR + t.rng.below(20 * MIN);
    }
}

/// A MAP roamer moving on to another partner about twelve hours after arriving; their old
/// VLR purges them 90 minutes later, after its implicit-detach timer, which is not travel.
pub(crate) fn move_on(t: &mut Timeline, r: &Roamer, home: &HomeNodes) {
    let next = ROAMING
        .iter()
        .copied()
        .find(|n| n.name != r.at.name && n.country != "MX")
        .unwrap_or(&ORANGE_FR);
    let moved = r.arrived + 12 * HOUR + t.rng.below(HOUR);
    let there = Roamer {
        at: next,
        arrived: moved,
        diameter: false,
        ..r.clone()
    };
    register(t, &there, next, moved, home);
    let imsi = &r.sub.imsi;
    let old_vlr = r.at.gt(200);
    let req = invoke(
        env(&old_vlr, ssn::VLR, &home.hlr, ssn::HLR),
        67,
        MapArg::purge_ms(imsi, &old_vlr),
        Truth::legit("old_vlr_purge", r.at, Msg::Map(67)).imsi(imsi),
    );
    let a = Truth::legit("hlr_answer", &HOME, Msg::Map(67)).imsi(imsi);
    t.dialogue(moved + 90 * MIN, r.at, Dir::In, req, answer(empty(), a));
}

/// An inbound roamer: a subscriber of `peer` visiting the home network.
#[derive(Debug, Clone)]
pub(crate) struct Visitor {
    pub(crate) imsi: String,
    /// The home VLR serving them (MAP visitors).
    pub(crate) vlr: Option<String>,
    /// When they registered.
    pub(crate) arrived: u64,
}

/// `count` subscribers of `peer` visiting, registering within 20 hours of `t0`. Over Diameter
/// (Mexico): the home MME's ULR to their HSS, and an IDR from it half an hour later. Over MAP:
/// the home VLR's updateLocation to their HLR and its insertSubscriberData back, and for
/// every fourth a provideSubscriberInfo from their HLR three hours later.
pub(crate) fn inbound_roamers(
    t: &mut Timeline,
    t0: u64,
    peer: &'static Net,
    count: u64,
    home: &HomeNodes,
) -> Vec<Visitor> {
    let mut out = Vec::new();
    for k in 0..count {
        let imsi = peer.imsi(k + 1);
        let ts = t0 + t.rng.below(20 * HOUR);
        if peer.country == "MX" {
            let ulr = Msg::Diameter(316);
            let avps = vec![
                AvpSpec::utf8(avp::USER_NAME, &imsi),
                AvpSpec::tgpp(avp::VISITED_PLMN_ID, HOME.plmn_octets()),
            ];
            let req = request(
                CommandCode::UPDATE_LOCATION,
                ApplicationId::S6A,
                avps,
                Truth::legit("inbound_update", &HOME, ulr).imsi(&imsi),
                Truth::legit("roamer_hss_answer", peer, ulr).imsi(&imsi),
            );
            t.diameter(ts, peer, Dir::Out, req);
            let idr = Msg::Diameter(319);
            let req = request(
                CommandCode::INSERT_SUBSCRIBER_DATA,
                ApplicationId::S6A,
                vec![AvpSpec::utf8(avp::USER_NAME, &imsi)],
                Truth::legit("inbound_idr_from_home", peer, idr).imsi(&imsi),
                Truth::legit("mme_answer", &HOME, idr).imsi(&imsi),
            );
            t.diameter(ts + 30 * MIN, peer, Dir::In, req);
            out.push(Visitor {
                imsi,
                vlr: None,
                arrived: ts,
            });
            continue;
        }
        let vlr = home.msc(k);
        let their_hlr = peer.gt(100);
        let req = invoke(
            env(&vlr, ssn::VLR, &their_hlr, ssn::HLR),
            2,
            MapArg::update_location(&imsi, &vlr, &vlr),
            Truth::legit("inbound_update", &HOME, Msg::Map(2)).imsi(&imsi),
        );
        let a = Truth::legit("roamer_hlr_answer", peer, Msg::Map(2)).imsi(&imsi);
        let res = answer(MapArg::update_location_res(&their_hlr), a);
        t.dialogue(ts, peer, Dir::Out, req, res);
        let to_vlr = env(&their_hlr, ssn::HLR, &vlr, ssn::VLR);
        let msisdn = format!(
            "{}9{:05}",
            &peer.gt_prefix[..peer.gt_prefix.len().min(4)],
            k
        );
        let req = invoke(
            to_vlr.clone(),
            7,
            MapArg::insert_subscriber_data(&imsi, &msisdn),
            Truth::legit("inbound_isd_from_home", peer, Msg::Map(7)).imsi(&imsi),
        );
        let a = Truth::legit("vlr_answer", &HOME, Msg::Map(7)).imsi(&imsi);
        t.dialogue(ts + 200 * MS, peer, Dir::In, req, answer(empty(), a));
        if k % 4 == 0 {
            let req = invoke(
                to_vlr,
                70,
                MapArg::provide_subscriber_info(&imsi),
                Truth::legit("inbound_psi_from_home", peer, Msg::Map(70)).imsi(&imsi),
            );
            let a = Truth::legit("vlr_answer", &HOME, Msg::Map(70)).imsi(&imsi);
            let res = answer(MapArg::any_time_interrogation_res(&vlr), a);
            t.dialogue(ts + 3 * HOUR, peer, Dir::In, req, res);
        }
        out.push(Visitor {
            imsi,
            vlr: Some(vlr),
            arrived: ts,
        });
    }
    out
}

/// A short message to a home subscriber from `from`'s SMSC: SendRoutingInfoForSM answered by
/// the home HLR naming the subscriber's MSC, then (when `deliver`) the mt-forwardSM to that
/// MSC two to three seconds later. Without the delivery, the look-up is reconnaissance:
/// `truth` says so.
pub(crate) fn short_message(
    t: &mut Timeline,
    ts: u64,
    from: &'static Net,
    s: &Sub,
    home: &HomeNodes,
    truth: Truth,
    deliver: bool,
) {
    let serving = &home.msc(s.n);
    let smsc = from.gt(500);
    let req = invoke(
        env(&smsc, ssn::MSC, &home.hlr, ssn::HLR),
        45,
        MapArg::send_routing_info_for_sm(&s.msisdn, &smsc),
        truth.msisdn(&s.msisdn),
    );
    let a = Truth::legit("hlr_answer", &HOME, Msg::Map(45)).imsi(&s.imsi);
    let res = answer(MapArg::send_routing_info_for_sm_res(&s.imsi, serving), a);
    t.dialogue(ts, from, Dir::In, req, res);
    if deliver {
        /// A short SMS-DELIVER TPDU ("hello", GSM 7-bit).
        const TPDU: &[u8] = b"\x04\x0b\x91\x21\x60\x02\x00\x10\xf7\x00\x00\x62\x50\x11\x21\x43\x65\x00\x05\xe8\x32\x9b\xfd\x06";
        let req = invoke(
            env(&from.gt(600), ssn::MSC, serving, ssn::MSC),
            44,
            MapArg::mt_forward_sm(&s.imsi, &smsc, TPDU),
            Truth::legit("sms_delivery", from, Msg::Map(44)).imsi(&s.imsi),
        );
        let a = Truth::legit("msc_answer", &HOME, Msg::Map(44)).imsi(&s.imsi);
        let at = ts + 2 * SEC + t.rng.below(SEC);
        t.dialogue(at, from, Dir::In, req, answer(empty(), a));
    }
}

/// A MAP attack request of the mission's kind (`op`: anyTimeInterrogation, sendIMSI,
/// sendRoutingInfo, provideSubscriberLocation) from `from`, and the home network's answer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Attack {
    pub(crate) from: &'static Net,
    pub(crate) op: i64,
    pub(crate) kind: &'static str,
    pub(crate) expect: &'static str,
    pub(crate) campaign: bool,
}

impl Attack {
    /// A MAP attack from `from` of operation `op`, on which sigwatch should raise `expect`.
    pub(crate) fn new(
        from: &'static Net,
        op: i64,
        kind: &'static str,
        expect: &'static str,
    ) -> Attack {
        Attack {
            from,
            op,
            kind,
            expect,
            campaign: false,
        }
    }

    /// The request about `s`, sent at `ts` to the node `called`, answered by the home network.
    pub(crate) fn send(&self, t: &mut Timeline, ts: u64, s: &Sub, called: &str) {
        let from = self.from;
        let (param, result, calling_ssn, called_ssn) = match self.op {
            71 => (
                MapArg::any_time_interrogation(Some(&s.msisdn), None, &from.gt(300)),
                MapArg::any_time_interrogation_res(&HOME.gt(200)),
                ssn::GSMSCF,
                ssn::HLR,
            ),
            58 => (
                MapArg::send_imsi(&s.msisdn),
                MapArg::send_imsi_res(&s.imsi),
                ssn::VLR,
                ssn::HLR,
            ),
            22 => (
                MapArg::send_routing_info(&s.msisdn, &from.gt(300)),
                MapArg::send_routing_info_res(&s.imsi, &HOME.gt(250)),
                ssn::MSC,
                ssn::HLR,
            ),
            // By IMSI, posing as the subscriber's HLR (category 2).
            70 => (
                MapArg::provide_subscriber_info(&s.imsi),
                MapArg::any_time_interrogation_res(&HOME.gt(200)),
                ssn::HLR,
                ssn::HLR,
            ),
            _ => (
                MapArg::provide_subscriber_location(Some(&s.msisdn), None, &from.gt(400)),
                empty(),
                ssn::GMLC,
                ssn::MSC,
            ),
        };
        let op = Msg::Map(self.op as u8);
        let truth = Truth::attack(self.kind, from, op, self.expect);
        let mut truth = if self.op == 70 {
            truth.imsi(&s.imsi)
        } else {
            truth.msisdn(&s.msisdn)
        };
        if self.campaign {
            truth = truth.in_campaign();
        }
        let req = invoke(
            env(&from.gt(300), calling_ssn, called, called_ssn),
            self.op,
            param,
            truth,
        );
        let a = Truth::legit("hlr_answer", &HOME, op).imsi(&s.imsi);
        t.dialogue(ts, from, Dir::In, req, answer(result, a));
    }
}

/// Requests spread over a window: one per target, each at a random time in
/// `[start, start + span)`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sweep {
    pub(crate) start: u64,
    pub(crate) span: u64,
}

impl Sweep {
    /// Send `each` about every target (home subscriber numbers), in the targets' order.
    pub(crate) fn over(
        &self,
        t: &mut Timeline,
        targets: &[u64],
        mut each: impl FnMut(&mut Timeline, u64, &Sub),
    ) {
        for &n in targets {
            let ts = self.start + t.rng.below(self.span);
            each(t, ts, &Sub::home(n));
        }
    }
}

/// A coordinated campaign: the same targets hit by every one of `attacks` within `spread` of
/// one another, one target every `spacing` from `start`.
#[derive(Debug, Clone)]
pub(crate) struct Campaign {
    pub(crate) attacks: Vec<Attack>,
    pub(crate) start: u64,
    pub(crate) spacing: u64,
    pub(crate) spread: u64,
}

impl Campaign {
    /// The campaign on `targets`, every request sent to `called`.
    pub(crate) fn over(&self, t: &mut Timeline, targets: &[u64], called: &str) {
        for (k, &n) in targets.iter().enumerate() {
            let s = Sub::home(n);
            let base = self.start + k as u64 * self.spacing;
            for a in &self.attacks {
                let ts = base + t.rng.below(self.spread);
                a.send(t, ts, &s, called);
            }
        }
    }
}
