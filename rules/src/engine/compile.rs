//! Compiling a policy: the numbering plan with the home network and partners added, and
//! every rule in one table (custom rules first, then each category's, then the fixed
//! checks), indexed by MAP operation and Diameter command for the classifier.

use decoder::diameter::{ApplicationId, CommandCode};
use decoder::map::OpCode;
use decoder::stack::Evasion;

use super::{Custom, DiameterRules, Engine, Fixed, DIAMETER_SLOTS};
use crate::numbering::{NumberingPlan, OperatorId, Relation};
use crate::policy::{Action, Categories, CustomRule, Policy, PolicyError, Severity};
use crate::verdict::{Category, RuleIdx, RuleInfo, RuleTable};

impl Engine {
    /// Load a policy file and compile it.
    pub fn load(path: &std::path::Path) -> Result<Engine, PolicyError> {
        Ok(Engine::new(Policy::load(path)?))
    }

    /// Compile a validated policy.
    pub fn new(policy: Policy) -> Engine {
        let mut plan = NumberingPlan::builtin();
        let h = &policy.home;
        let home = plan
            .add_network(
                &h.name,
                h.country,
                Relation::Home,
                &h.gt_prefixes,
                &h.plmns,
                &h.realms,
            )
            .unwrap_or(OperatorId(0));
        for p in &policy.partners {
            let _ = plan.add_network(
                &p.name,
                p.country,
                Relation::Partner,
                &p.gt_prefixes,
                &p.plmns,
                &p.realms,
            );
        }
        let mut rules = RuleTable::default();
        // Custom rules first, so that their ids keep their file order at the table's start.
        let custom = policy
            .rules
            .iter()
            .map(|r| compile_custom(&mut rules, &plan, r))
            .collect();
        let map_rules = map_rules(&mut rules, &policy.categories);
        let diameter = diameter_rules(&mut rules, &policy.categories);
        let fixed = Fixed::compile(&mut rules);
        Engine {
            geo: crate::geo::Geography::builtin(),
            policy,
            plan,
            rules,
            home,
            map_rules,
            diameter,
            fixed,
            custom,
        }
    }
}

/// The categories' MAP operations: `fs11.cat1.any_time_interrogation` and so on.
fn map_rules(rules: &mut RuleTable, cats: &Categories) -> [[Option<RuleIdx>; 256]; 3] {
    let mut table = [[None; 256]; 3];
    for (k, (list, cat, sev)) in [
        (&cats.map_cat1, Category::Cat1, Severity::High),
        (&cats.map_cat2, Category::Cat2, Severity::Medium),
        (&cats.map_cat3, Category::Cat3, Severity::High),
    ]
    .into_iter()
    .enumerate()
    {
        for &op in list {
            let (id, what) = match OpCode(op).name() {
                Some(n) => (snake(n), capitalised(n)),
                None => (format!("op_{op}"), format!("MAP operation {op}")),
            };
            table[k][usize::from(op)] = Some(rules.add(RuleInfo {
                id: format!("fs11.{}.{id}", cat.name()),
                category: cat,
                severity: sev,
                action: Action::Alert,
                what,
            }));
        }
    }
    table
}

/// The categories' Diameter commands (`fs19.cat1.rir`) and category 1 applications
/// (`fs19.cat1.sh_dh`).
fn diameter_rules(rules: &mut RuleTable, cats: &Categories) -> DiameterRules {
    let mut by_command: Vec<(u32, [Option<RuleIdx>; 3])> = Vec::new();
    for (k, (list, cat, sev)) in [
        (&cats.diameter_cat1_commands, Category::Cat1, Severity::High),
        (
            &cats.diameter_cat2_commands,
            Category::Cat2,
            Severity::Medium,
        ),
        (&cats.diameter_cat3_commands, Category::Cat3, Severity::High),
    ]
    .into_iter()
    .enumerate()
    {
        for &cmd in list {
            let abbr = CommandCode(cmd)
                .abbreviation(true)
                .map_or_else(|| format!("cmd_{cmd}"), str::to_ascii_lowercase);
            let app = ApplicationId::for_command(CommandCode(cmd))
                .and_then(|a| a.first())
                .and_then(|a| a.name())
                .map(|n| format!("{n} "))
                .unwrap_or_default();
            let idx = rules.add(RuleInfo {
                id: format!("fs19.{}.{abbr}", cat.name()),
                category: cat,
                severity: sev,
                action: Action::Alert,
                what: format!("{app}{}", abbr.to_ascii_uppercase()),
            });
            match by_command.iter_mut().find(|(c, _)| *c == cmd) {
                Some((_, row)) => row[k] = Some(idx),
                None => {
                    let mut row = [None; 3];
                    row[k] = Some(idx);
                    by_command.push((cmd, row));
                }
            }
        }
    }
    let mut slots = vec![(u32::MAX, [None; 3]); DIAMETER_SLOTS];
    let mut overflow = Vec::new();
    for (cmd, row) in by_command {
        let slot = &mut slots[cmd as usize % DIAMETER_SLOTS];
        if slot.0 == u32::MAX {
            *slot = (cmd, row);
        } else {
            overflow.push((cmd, row));
        }
    }
    let apps = cats
        .diameter_cat1_applications
        .iter()
        .map(|&app| {
            let name = ApplicationId(app)
                .name()
                .map_or_else(|| format!("application {app}"), str::to_owned);
            let idx = rules.add(RuleInfo {
                id: format!("fs19.cat1.{}", snake(&name.replace('/', "_"))),
                category: Category::Cat1,
                severity: Severity::High,
                action: Action::Alert,
                what: name,
            });
            (app, idx)
        })
        .collect();
    DiameterRules {
        slots,
        overflow,
        apps,
    }
}

impl Fixed {
    /// FS.19's consistency checks, the checks of unplaced senders and roaming agreements, the
    /// SMS reconnaissance check and the evasion rules.
    fn compile(rules: &mut RuleTable) -> Fixed {
        let mut check = |id: &str, what: &str| {
            rules.add(RuleInfo {
                id: format!("fs19.check.{id}"),
                category: Category::Cat2,
                severity: Severity::Medium,
                action: Action::Alert,
                what: what.to_owned(),
            })
        };
        let host_realm = check("origin_host_realm", "Origin-Host outside Origin-Realm");
        let visited_plmn = check(
            "visited_plmn_realm",
            "Visited-PLMN-Id not the Origin-Realm's PLMN",
        );
        let user_name_plmn = check(
            "user_name_plmn",
            "IMSI of neither the destination nor the origin",
        );
        let app_command = check(
            "application_command",
            "application id not matching the command",
        );
        let unknown_origin = check(
            "unknown_origin",
            "Origin-Realm and Origin-Host of no known PLMN",
        );
        let unknown_gt = rules.add(RuleInfo {
            id: "fs11.check.unknown_calling_gt".into(),
            category: Category::Cat2,
            severity: Severity::Medium,
            action: Action::Alert,
            what: "calling global title in no known E.164 range".into(),
        });
        let no_agreement = ["fs11", "fs19"].map(|family| {
            rules.add(RuleInfo {
                id: format!("{family}.cat3.no_roaming_agreement"),
                category: Category::Cat3,
                severity: Severity::High,
                action: Action::Alert,
                what: "category 3 message for a home subscriber".into(),
            })
        });
        let recon_sms = rules.add(RuleInfo {
            id: "recon.sri_sm_without_delivery".into(),
            category: Category::Recon,
            severity: Severity::Medium,
            action: Action::Alert,
            what: "SendRoutingInfoForSM without a following short message".into(),
        });
        let evasion = Evasion::ALL.map(|e| {
            rules.add(RuleInfo {
                id: format!("evasion.{}", e.name()),
                category: Category::Evasion,
                severity: Severity::High,
                action: Action::Alert,
                what: match e {
                    Evasion::SctpConflict => "SCTP chunk repeating a TSN with other contents",
                    Evasion::TcpOverlap => "TCP segment repeating stream bytes with other bytes",
                    Evasion::IpOverlap => "IP fragments overlapping with other bytes",
                }
                .into(),
            })
        });
        Fixed {
            host_realm,
            visited_plmn,
            user_name_plmn,
            app_command,
            recon_sms,
            evasion,
            unknown_origin,
            unknown_gt,
            no_agreement,
        }
    }
}

fn compile_custom(rules: &mut RuleTable, plan: &NumberingPlan, r: &CustomRule) -> Custom {
    let what = match (r.when.opcode, r.when.cmd) {
        (Some(op), _) => OpCode(op)
            .name()
            .map_or_else(|| format!("MAP operation {op}"), capitalised),
        (_, Some(cmd)) => CommandCode(cmd)
            .abbreviation(true)
            .map_or_else(|| format!("command {cmd}"), str::to_owned),
        _ => "message".to_owned(),
    };
    let rule = rules.add(RuleInfo {
        id: r.id.clone(),
        category: Category::Custom,
        severity: r.severity,
        action: r.action,
        what,
    });
    let operator = r.when.source_operator.as_ref().map(|name| {
        plan.operators()
            .iter()
            .enumerate()
            .filter(|(_, o)| o.name.eq_ignore_ascii_case(name))
            .map(|(i, _)| OperatorId(i as u16))
            .collect()
    });
    Custom {
        rule,
        action: r.action,
        proto: r.when.proto,
        opcode: r.when.opcode,
        cmd: r.when.cmd,
        app: r.when.app,
        country: r.when.source_country,
        operator,
        gt_prefix: r.when.source_gt_prefix.clone(),
        called_ssn: r.when.called_ssn,
    }
}

/// `anyTimeInterrogation` → `any_time_interrogation`, `sendIMSI` → `send_imsi`.
pub(crate) fn snake(name: &str) -> String {
    let c: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &ch) in c.iter().enumerate() {
        if ch == '-' || ch == ' ' || ch == '/' {
            if !out.ends_with('_') {
                out.push('_');
            }
            continue;
        }
        if ch.is_ascii_uppercase() && i > 0 {
            let prev = c[i - 1];
            let next_lower = c.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if (prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower))
                && !out.ends_with('_')
            {
                out.push('_');
            }
        }
        out.push(ch.to_ascii_lowercase());
    }
    out
}

fn capitalised(name: &str) -> String {
    let mut c = name.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::Category;

    /// Commands that share a slot of the rule table (316, 380 and 444 are all 60 mod 64)
    /// each find their own rules; a command without rules finds none.
    #[test]
    fn diameter_commands_sharing_a_slot_keep_their_rules() {
        let text = "[home]\nname = \"H\"\ncountry = \"US\"\nplmn = [\"310-410\"]\n\
                    [categories]\ndiameter_cat1_commands = [316, 444]\n\
                    diameter_cat2_commands = [380]\ndiameter_cat3_commands = [316]\n";
        let e = Engine::new(Policy::parse("p.toml", text).unwrap());
        let cat = |r: Option<RuleIdx>| r.map(|r| e.rule(r).unwrap().category);
        let cats = |cmd| e.diameter.of(cmd).map(cat);
        assert_eq!(
            cats(316),
            [Some(Category::Cat1), None, Some(Category::Cat3)]
        );
        assert_eq!(cats(380), [None, Some(Category::Cat2), None]);
        assert_eq!(cats(444), [Some(Category::Cat1), None, None]);
        assert_eq!(cats(508), [None; 3]);
        assert_eq!(cats(318), [None; 3]);
        assert!(!e.diameter.overflow.is_empty());
    }

    #[test]
    fn snake_case_ids() {
        assert_eq!(snake("anyTimeInterrogation"), "any_time_interrogation");
        assert_eq!(snake("sendIMSI"), "send_imsi");
        assert_eq!(snake("mt-forwardSM"), "mt_forward_sm");
        assert_eq!(
            snake("processUnstructuredSS-Request"),
            "process_unstructured_ss_request"
        );
        assert_eq!(snake("sendRoutingInfoForSM"), "send_routing_info_for_sm");
        assert_eq!(snake("Sh/Dh"), "sh_dh");
    }
}
