//! The presence scenario: where is the subscriber? Each case is played for three home
//! subscribers of their own, so that no case leans on another:
//!
//! - attacks that only what the home network's own traffic proved can expose (a category 3
//!   claim after a short message sent through a home MSC, after one a home MSC acknowledged,
//!   after a fresh location answer, after a registration abroad, across MAP and Diameter);
//! - category 3 messages from operators without a roaming agreement (China Unicom over MAP
//!   and Diameter, EE, a non-partner in the partner Vodafone UK's country), from a Diameter
//!   realm of no PLMN and from a global title in no E.164 range;
//! - the look-alikes that must stay silent: the HLR's stale answer naming a home MSC before a
//!   flight, a location answer ten hours old, a flight within reach, a partner's first
//!   message, home-internal updates, an inbound roamer.
//!
//! The policy lists the real partners only (Vodafone UK, Orange France, Telcel Mexico, Flow
//! Barbados); every attack's truth names the exact rule it must raise.

use decoder::diameter::{avp, ApplicationId, AvpSpec, CommandCode};
use decoder::map::MapArg;

use super::parts::{answer, empty, env, home_update, invoke, request, HomeNodes, Sub};
use super::timeline::{ssn, Timeline, HOUR, MIN, SEC, T0};
use super::truth::{Msg, Truth};
use super::Capture;
use crate::net::{
    policy_with_partners, Net, CHINA_UNICOM, EE_UK, FLOW_BB, HOME, ORANGE_FR, ROAMING, TELCEL_MX,
    VODAFONE_UK,
};
use crate::wire::Dir;

/// Subscribers per case.
const EACH: u64 = 3;
/// A global title in no E.164 range (country codes 280 to 289 are spare).
const NOWHERE_GT: &str = "28000000001";

/// The presence scenario (see the module documentation).
pub fn presence(seed: u64) -> Capture {
    let mut t = Timeline::new(seed);
    let home = HomeNodes::new();
    let mut case = 0;
    let mut next_case = |f: &mut dyn FnMut(&mut Timeline, &Sub, u64)| {
        case += 1;
        for i in 0..EACH {
            let s = Sub::home(1000 + case * 10 + i);
            // Cases start an hour apart, subscribers a minute apart within a case.
            let at = T0 + case * HOUR + i * MIN;
            f(&mut t, &s, at);
        }
    };
    let p = Play { home: &home };

    // Impossible travel, from what the home network's own traffic proved.
    next_case(&mut |t, s, at| {
        p.mo_sms_from_home(t, s, at);
        p.ul(t, s, at + HOUR, &ORANGE_FR, &ORANGE_FR.gt(200))
            .attack("ul_after_home_sms", "fs11.cat3.update_location");
    });
    next_case(&mut |t, s, at| {
        p.mt_sms_acknowledged_at_home(t, s, at);
        p.ulr(t, s, at + 30 * MIN, &TELCEL_MX, None, &TELCEL_MX)
            .attack("ulr_after_home_delivery", "fs19.cat3.ulr");
    });
    next_case(&mut |t, s, at| {
        p.location_answer(t, s, at, 5);
        p.sai(t, s, at + HOUR, &VODAFONE_UK).attack(
            "sai_after_fresh_location_answer",
            "fs11.cat3.send_authentication_info",
        );
    });
    next_case(&mut |t, s, at| {
        p.ul(t, s, at, &VODAFONE_UK, &VODAFONE_UK.gt(200))
            .legit("roamer_update");
        p.sai(t, s, at + 2 * HOUR, &FLOW_BB).attack(
            "sai_after_update_elsewhere",
            "fs11.cat3.send_authentication_info",
        );
    });
    next_case(&mut |t, s, at| {
        p.ulr(t, s, at, &VODAFONE_UK, None, &VODAFONE_UK)
            .legit("roamer_update");
        p.ul(t, s, at + HOUR, &TELCEL_MX, &TELCEL_MX.gt(200))
            .attack("ul_after_ulr_elsewhere", "fs11.cat3.update_location");
    });

    // No roaming agreement: per operator, from the first message.
    next_case(&mut |t, s, at| {
        p.ul(t, s, at, &CHINA_UNICOM, &CHINA_UNICOM.gt(200))
            .attack("ul_without_agreement", "fs11.cat3.no_roaming_agreement");
    });
    next_case(&mut |t, s, at| {
        p.ulr(t, s, at, &CHINA_UNICOM, None, &CHINA_UNICOM)
            .attack("ulr_without_agreement", "fs19.cat3.no_roaming_agreement");
    });
    next_case(&mut |t, s, at| {
        // EE's title, relayed over the partner Vodafone UK's link.
        p.ul(t, s, at, &VODAFONE_UK, &EE_UK.gt(200))
            .from(&EE_UK)
            .attack(
                "ul_from_non_partner_of_partner_country",
                "fs11.cat3.no_roaming_agreement",
            );
    });

    // Senders nobody can place: alerted, and what they claim is never learnt (the partner's
    // first message an hour later is silent).
    next_case(&mut |t, s, at| {
        let origin = ("mme01.attacker.com".to_owned(), "attacker.com".to_owned());
        p.ulr(t, s, at, &CHINA_UNICOM, Some(origin), &CHINA_UNICOM)
            .attack("ulr_from_unknown_origin", "fs19.check.unknown_origin");
        p.ul(t, s, at + HOUR, &VODAFONE_UK, &VODAFONE_UK.gt(200))
            .legit("roamer_update");
    });
    next_case(&mut |t, s, at| {
        p.ul(t, s, at, &CHINA_UNICOM, NOWHERE_GT)
            .attack("ul_from_unknown_gt", "fs11.check.unknown_calling_gt");
        p.ul(t, s, at + HOUR, &VODAFONE_UK, &VODAFONE_UK.gt(200))
            .legit("roamer_update");
    });

    // The look-alikes.
    next_case(&mut |t, s, at| {
        // At home nine hours before; the HLR still names the home MSC when a short message
        // comes for the phone, switched off on the flight; the UK an hour later.
        home_update(t, at - 9 * HOUR, &home, s, &home.msc(s.n));
        p.stale_sms_routing(t, s, at);
        p.ul(t, s, at + HOUR, &VODAFONE_UK, &VODAFONE_UK.gt(200))
            .legit("roamer_update_after_stale_answer");
    });
    next_case(&mut |t, s, at| {
        p.location_answer(t, s, at, 600);
        p.ul(t, s, at + HOUR, &VODAFONE_UK, &VODAFONE_UK.gt(200))
            .legit("roamer_update_after_old_location");
    });
    next_case(&mut |t, s, at| {
        home_update(t, at, &home, s, &home.msc(s.n));
        home_update(t, at + 2 * HOUR, &home, s, &home.msc(s.n + 1));
        p.ul(t, s, at + 12 * HOUR, &VODAFONE_UK, &VODAFONE_UK.gt(200))
            .legit("roamer_update_after_flight");
    });
    next_case(&mut |t, s, at| {
        p.ulr(t, s, at, &ORANGE_FR, None, &ORANGE_FR)
            .legit("partner_first_message");
    });
    next_case(&mut |t, s, at| {
        // A UK subscriber visiting: the home VLR registers them with their HLR.
        let imsi = VODAFONE_UK.imsi(s.n);
        let vlr = home.msc(1);
        let uk_hlr = VODAFONE_UK.gt(100);
        let truth = Truth::legit("inbound_roamer_update", &HOME, Msg::Map(2)).imsi(&imsi);
        let req = invoke(
            env(&vlr, ssn::VLR, &uk_hlr, ssn::HLR),
            2,
            MapArg::update_location(&imsi, &vlr, &vlr),
            truth,
        );
        let a = Truth::legit("hlr_answer", &VODAFONE_UK, Msg::Map(2)).imsi(&imsi);
        let res = answer(MapArg::update_location_res(&uk_hlr), a);
        t.dialogue(at, &VODAFONE_UK, Dir::Out, req, res);
    });

    t.keepalives(T0, T0 + (case + 14) * HOUR, 10 * MIN);
    let mut cap = t.render();
    cap.policy = policy_with_partners(&ROAMING);
    cap
}

/// The messages the cases are made of.
struct Play<'h> {
    home: &'h HomeNodes,
}

/// A message about to be put on the timeline, waiting for its truth.
struct Pending<'t> {
    t: &'t mut Timeline,
    at: u64,
    link: &'static Net,
    from: &'static Net,
    s: Sub,
    msg: Msg,
    what: What,
}

enum What {
    Map {
        env: crate::wire::Sccp,
        op: i64,
        param: Vec<u8>,
        result: Vec<u8>,
    },
    Diameter {
        avps: Vec<AvpSpec>,
        cmd: CommandCode,
        origin: Option<(String, String)>,
    },
}

impl Pending<'_> {
    /// Sent by `from` (over the link's peer).
    fn from(mut self, from: &'static Net) -> Self {
        self.from = from;
        self
    }

    fn legit(self, kind: &'static str) {
        let truth = Truth::legit(kind, self.from, self.msg);
        self.put(truth);
    }

    fn attack(self, kind: &'static str, rule: &'static str) {
        let category = if rule.contains(".cat3.") {
            "cat3"
        } else {
            "cat2"
        };
        let truth = Truth::attack(kind, self.from, self.msg, category).rule(rule);
        self.put(truth);
    }

    fn put(self, truth: Truth) {
        let imsi = &self.s.imsi;
        let truth = truth.imsi(imsi);
        let a = Truth::legit("home_answer", &HOME, self.msg).imsi(imsi);
        match self.what {
            What::Map {
                env,
                op,
                param,
                result,
            } => {
                let req = invoke(env, op, param, truth);
                self.t
                    .dialogue(self.at, self.link, Dir::In, req, answer(result, a));
            }
            What::Diameter { avps, cmd, origin } => {
                let mut req = request(cmd, ApplicationId::S6A, avps, truth, a);
                req.origin = origin;
                self.t.diameter(self.at, self.link, Dir::In, req);
            }
        }
    }
}

impl Play<'_> {
    /// An updateLocation from `vlr`, over `link`'s peer.
    fn ul<'t>(
        &self,
        t: &'t mut Timeline,
        s: &Sub,
        at: u64,
        link: &'static Net,
        vlr: &str,
    ) -> Pending<'t> {
        Pending {
            t,
            at,
            link,
            from: link,
            s: s.clone(),
            msg: Msg::Map(2),
            what: What::Map {
                env: env(vlr, ssn::VLR, &self.home.hlr, ssn::HLR),
                op: 2,
                param: MapArg::update_location(&s.imsi, vlr, vlr),
                result: MapArg::update_location_res(&self.home.hlr),
            },
        }
    }

    /// A sendAuthenticationInfo from `from`'s VLR.
    fn sai<'t>(&self, t: &'t mut Timeline, s: &Sub, at: u64, from: &'static Net) -> Pending<'t> {
        Pending {
            t,
            at,
            link: from,
            from,
            s: s.clone(),
            msg: Msg::Map(56),
            what: What::Map {
                env: env(&from.gt(200), ssn::VLR, &self.home.hlr, ssn::HLR),
                op: 56,
                param: MapArg::send_authentication_info(&s.imsi),
                result: empty(),
            },
        }
    }

    /// An S6a ULR over `link`, from `origin` when given, naming `visited` as the
    /// Visited-PLMN-Id.
    fn ulr<'t>(
        &self,
        t: &'t mut Timeline,
        s: &Sub,
        at: u64,
        link: &'static Net,
        origin: Option<(String, String)>,
        visited: &Net,
    ) -> Pending<'t> {
        Pending {
            t,
            at,
            link,
            from: link,
            s: s.clone(),
            msg: Msg::Diameter(316),
            what: What::Diameter {
                avps: vec![
                    AvpSpec::utf8(avp::USER_NAME, &s.imsi),
                    AvpSpec::tgpp(avp::VISITED_PLMN_ID, visited.plmn_octets()),
                ],
                cmd: CommandCode::UPDATE_LOCATION,
                origin,
            },
        }
    }

    /// The subscriber sends a short message through their home MSC (mo-forwardSM v3, with
    /// the IMSI).
    fn mo_sms_from_home(&self, t: &mut Timeline, s: &Sub, at: u64) {
        let msc = self.home.msc(s.n);
        let smsc = HOME.gt(500);
        let truth = Truth::legit("sms_sent_at_home", &HOME, Msg::Map(46)).imsi(&s.imsi);
        let req = invoke(
            env(&msc, ssn::MSC, &smsc, ssn::MSC),
            46,
            MapArg::mo_forward_sm_v3(&smsc, &s.msisdn, b"\x01\x00\x0b", &s.imsi),
            truth,
        );
        let a = Truth::legit("smsc_answer", &HOME, Msg::Map(46)).imsi(&s.imsi);
        t.dialogue(at, &HOME, Dir::Out, req, answer(empty(), a));
    }

    /// A UK SMSC's short message, acknowledged by the subscriber's home MSC.
    fn mt_sms_acknowledged_at_home(&self, t: &mut Timeline, s: &Sub, at: u64) {
        let msc = self.home.msc(s.n);
        let smsc = VODAFONE_UK.gt(500);
        let truth = Truth::legit("sms_delivered_at_home", &VODAFONE_UK, Msg::Map(44)).imsi(&s.imsi);
        let req = invoke(
            env(&VODAFONE_UK.gt(600), ssn::MSC, &msc, ssn::MSC),
            44,
            MapArg::mt_forward_sm(&s.imsi, &smsc, b"\x04\x00\x0b"),
            truth,
        );
        let a = Truth::legit("msc_answer", &HOME, Msg::Map(44)).imsi(&s.imsi);
        t.dialogue(at, &VODAFONE_UK, Dir::In, req, answer(empty(), a));
    }

    /// The home HLR's provideSubscriberInfo, answered by a home VLR with a location
    /// `age_min` minutes old.
    fn location_answer(&self, t: &mut Timeline, s: &Sub, at: u64, age_min: u16) {
        let vlr = self.home.msc(s.n);
        let truth = Truth::legit("hlr_location_query", &HOME, Msg::Map(70)).imsi(&s.imsi);
        let req = invoke(
            env(&self.home.hlr, ssn::HLR, &vlr, ssn::VLR),
            70,
            MapArg::provide_subscriber_info(&s.imsi),
            truth,
        );
        let a = Truth::legit("vlr_location_answer", &HOME, Msg::Map(70)).imsi(&s.imsi);
        let res = answer(MapArg::location_res(&vlr, age_min), a);
        t.dialogue(at, &HOME, Dir::Out, req, res);
    }

    /// Orange France's SMSC asks where to deliver a short message; the HLR names the home
    /// MSC it last knew; the delivery goes there and is never acknowledged (the phone is off).
    fn stale_sms_routing(&self, t: &mut Timeline, s: &Sub, at: u64) {
        let msc = self.home.msc(s.n);
        let smsc = ORANGE_FR.gt(500);
        let truth =
            Truth::legit("sms_routing_stale_answer", &ORANGE_FR, Msg::Map(45)).msisdn(&s.msisdn);
        let req = invoke(
            env(&smsc, ssn::MSC, &self.home.hlr, ssn::HLR),
            45,
            MapArg::send_routing_info_for_sm(&s.msisdn, &smsc),
            truth,
        );
        let a = Truth::legit("hlr_answer", &HOME, Msg::Map(45)).imsi(&s.imsi);
        let res = answer(MapArg::send_routing_info_for_sm_res(&s.imsi, &msc), a);
        t.dialogue(at, &ORANGE_FR, Dir::In, req, res);
        let truth =
            Truth::legit("sms_to_switched_off_phone", &ORANGE_FR, Msg::Map(44)).imsi(&s.imsi);
        let req = invoke(
            env(&ORANGE_FR.gt(600), ssn::MSC, &msc, ssn::MSC),
            44,
            MapArg::mt_forward_sm(&s.imsi, &smsc, b"\x04\x00\x0b"),
            truth,
        );
        t.dialogue(at + 2 * SEC, &ORANGE_FR, Dir::In, req, None);
    }
}
