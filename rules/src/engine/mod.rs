//! The engine: a compiled policy, and the stateless judgement of each message.
//!
//! An [`Engine`] is built once from the policy ([`compile`]) and shared by every worker. Each
//! worker owns a [`Classifier`] ([`judge`]): the engine plus what a worker remembers between
//! messages of its own flows: open TCAP dialogues, so that an answer is known by its request
//! ([`dialogue`]), and caches of who sends what ([`cache`]). Classifying a message
//! attributes its sender ([`attribute`]), then walks one judgement ladder for MAP and
//! Diameter alike: custom rules, category 1, consistency checks, category 2, category 3,
//! follow-ups. It gives at most one verdict, the jobs that the subscriber's shard must run
//! (location history, SMS follow-up), and an observation for the rate statistics
//! ([`outcome`]).

mod attribute;
mod cache;
mod compile;
mod dialogue;
mod judge;
mod outcome;

pub use judge::{Classifier, ClassifyStats};
pub use outcome::{Job, JobKind, Jobs, Location, Observation, Outcome, Presence};

use crate::geo::{Country, Geography};
use crate::numbering::{NumberingPlan, OperatorId};
use crate::policy::{Action, Policy, Proto};
use crate::verdict::{RuleIdx, RuleInfo, RuleTable};

/// A compiled custom rule.
#[derive(Debug, Clone)]
struct Custom {
    rule: RuleIdx,
    action: Action,
    proto: Option<Proto>,
    opcode: Option<u8>,
    cmd: Option<u32>,
    app: Option<u32>,
    country: Option<Country>,
    operator: Option<Vec<OperatorId>>,
    gt_prefix: Option<String>,
    called_ssn: Option<u8>,
}

/// The fixed rules: consistency checks and reconnaissance.
#[derive(Debug, Clone, Copy)]
struct Fixed {
    host_realm: RuleIdx,
    visited_plmn: RuleIdx,
    user_name_plmn: RuleIdx,
    app_command: RuleIdx,
    recon_sms: RuleIdx,
    /// By [`decoder::stack::Evasion`], in the order of `Evasion::ALL`.
    evasion: [RuleIdx; 3],
    /// A Diameter request whose origin names no PLMN.
    unknown_origin: RuleIdx,
    /// A MAP request whose calling global title is in no known range.
    unknown_gt: RuleIdx,
    /// No roaming agreement: MAP, Diameter.
    no_agreement: [RuleIdx; 2],
}

/// A message's category 1, 2 and 3 rules.
type CategoryRules = [Option<RuleIdx>; 3];

/// The rules of Diameter commands and applications.
#[derive(Debug, Clone)]
struct DiameterRules {
    /// Per command: its category rules, in a table indexed by the command code's low six
    /// bits; the commands that find their slot taken are in `overflow`. `u32::MAX`, no
    /// command code, marks an empty slot.
    slots: Vec<(u32, CategoryRules)>,
    overflow: Vec<(u32, CategoryRules)>,
    /// Applications of category 1, whatever the command.
    apps: Vec<(u32, RuleIdx)>,
}

/// Slots of the table of Diameter commands' rules (S6a's 316-324 and the others fall apart).
const DIAMETER_SLOTS: usize = 64;

impl DiameterRules {
    /// A command's category 1, 2 and 3 rules, found once per message.
    fn of(&self, cmd: u32) -> CategoryRules {
        let slot = &self.slots[cmd as usize % DIAMETER_SLOTS];
        if slot.0 == cmd {
            return slot.1;
        }
        self.overflow
            .iter()
            .find(|(c, _)| *c == cmd)
            .map_or([None; 3], |r| r.1)
    }

    /// An application's category 1 rule.
    fn app(&self, app: u32) -> Option<RuleIdx> {
        self.apps.iter().find(|(a, _)| *a == app).map(|r| r.1)
    }
}

/// A compiled policy: numbering plans, rules and thresholds. Immutable; share it.
#[derive(Debug)]
pub struct Engine {
    /// The policy it was built from.
    pub policy: Policy,
    /// Numbering plans with the home network and partners added.
    pub plan: NumberingPlan,
    /// Countries and reference points.
    pub(crate) geo: Geography,
    /// Every rule.
    pub rules: RuleTable,
    home: OperatorId,
    /// Per category (1, 2, 3) and MAP operation code: its rule.
    map_rules: [[Option<RuleIdx>; 256]; 3],
    diameter: DiameterRules,
    fixed: Fixed,
    custom: Vec<Custom>,
}

impl Engine {
    /// The rule of an evasion technique.
    pub(crate) fn evasion_rule(&self, e: decoder::stack::Evasion) -> RuleIdx {
        self.fixed.evasion[e as usize]
    }

    /// Whether category 3 messages for home subscribers are held to the partner directory:
    /// `roaming = "partners"` and a directory to hold them to.
    pub(crate) fn checks_agreements(&self) -> bool {
        self.policy.thresholds.roaming == crate::policy::Roaming::Partners
            && !self.policy.partners.is_empty()
    }

    /// Whether `op` is an operator the home network roams with (itself included).
    pub(crate) fn has_agreement(&self, op: OperatorId) -> bool {
        self.plan
            .operator(op)
            .is_some_and(|o| o.relation != crate::numbering::Relation::Foreign)
    }

    /// The rule of the SMS reconnaissance check.
    pub(crate) fn recon_rule(&self) -> RuleIdx {
        self.fixed.recon_sms
    }

    /// A rule's description.
    pub fn rule(&self, idx: RuleIdx) -> Option<&RuleInfo> {
        self.rules.get(idx)
    }

    /// A MAP operation's category 1, 2 and 3 rules.
    fn map_rules(&self, op: u8) -> CategoryRules {
        let op = usize::from(op);
        [
            self.map_rules[0][op],
            self.map_rules[1][op],
            self.map_rules[2][op],
        ]
    }
}
