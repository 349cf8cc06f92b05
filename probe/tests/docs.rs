//! The project's reference in docs/ is held to the code: every command and flag of the
//! command line is in docs/CLI.md under its command's heading; every key of the policy file
//! is in docs/POLICY.md under its table's heading and in the sample docs/policy.toml, which
//! `sigwatch check-config` accepts; nothing in the repository points outside it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(repo().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The sections of a Markdown file by heading (`## ...`, `### ...`): heading line -> text.
fn sections(md: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut current = String::new();
    for line in md.lines() {
        if line.starts_with("## ") || line.starts_with("### ") {
            current = line.trim_start_matches('#').trim().to_owned();
        }
        let s: &mut String = out.entry(current.clone()).or_default();
        s.push_str(line);
        s.push('\n');
    }
    out
}

/// The section whose heading holds `` `name` ``.
fn section<'a>(all: &'a BTreeMap<String, String>, name: &str, file: &str) -> &'a str {
    let code = format!("`{name}`");
    all.iter()
        .find(|(h, _)| h.contains(&code))
        .map(|(_, t)| t.as_str())
        .unwrap_or_else(|| panic!("{file}: no heading with {code}"))
}

#[test]
fn every_command_and_flag_is_in_the_cli_reference() {
    let md = read("docs/CLI.md");
    let all = sections(&md);
    let cmd = probe::cli::command();
    let mut checked = 0;
    for sub in cmd.get_subcommands() {
        let name = format!("sigwatch {}", sub.get_name());
        let text = section(&all, &name, "docs/CLI.md");
        for arg in sub.get_arguments() {
            let what = match (arg.get_long(), arg.is_positional()) {
                (Some(long), _) => format!("`--{long}"),
                (None, true) => format!(
                    "`{}`",
                    arg.get_value_names().map_or_else(
                        || arg.get_id().as_str().to_uppercase(),
                        |v| v[0].as_str().to_owned(),
                    )
                ),
                (None, false) => continue,
            };
            if matches!(arg.get_id().as_str(), "help" | "version") {
                continue;
            }
            assert!(
                text.contains(&what),
                "docs/CLI.md: the section of `{name}` does not mention {what}"
            );
            checked += 1;
        }
    }
    assert!(checked > 40, "only {checked} flags checked");
}

/// The keys a table of the policy file takes, as the parser itself lists them: serde names
/// the keys it expects when it meets one it does not know.
fn keys_of(table: &str, prefix: &str) -> Vec<String> {
    let text = format!("{prefix}\n[{table}]\nno_such_key = 1\n");
    let text = if table == "home" {
        text.replace(
            "[home]\nno_such_key",
            "[home]\nname = \"H\"\ncountry = \"US\"\nno_such_key",
        )
    } else {
        text
    };
    expected_keys(&text, table)
}

fn expected_keys(text: &str, what: &str) -> Vec<String> {
    let e =
        rules::policy::Policy::parse("probe.toml", text).expect_err("an unknown key is refused");
    let msg = e.to_string();
    let list = msg
        .split_once("expected one of ")
        .or_else(|| msg.split_once("expected "))
        .unwrap_or_else(|| panic!("{what}: {msg}"))
        .1;
    list.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

const HOME: &str = "[home]\nname = \"H\"\ncountry = \"US\"\nplmn = [\"310-410\"]\n";

/// Every table of the policy file and its keys.
fn policy_keys() -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    let top = expected_keys(&format!("no_such_table = 1\n{HOME}"), "the file");
    assert!(top.contains(&"home".to_owned()), "{top:?}");
    out.insert(String::new(), top.clone());
    for table in &top {
        let keys = match table.as_str() {
            "home" => keys_of("home", ""),
            "partner" => expected_keys(
                &format!("{HOME}[[partner]]\nname = \"P\"\ncountry = \"GB\"\nno_such_key = 1\n"),
                "partner",
            ),
            "rule" => expected_keys(
                &format!("{HOME}[[rule]]\nid = \"r\"\nwhen = {{ opcode = 1 }}\nno_such_key = 1\n"),
                "rule",
            ),
            t => keys_of(t, HOME),
        };
        out.insert(table.clone(), keys);
    }
    out.insert(
        "rule.when".to_owned(),
        expected_keys(
            &format!("{HOME}[[rule]]\nid = \"r\"\nwhen = {{ no_such_key = 1 }}\n"),
            "rule.when",
        ),
    );
    out
}

#[test]
fn every_policy_key_is_in_the_policy_reference_and_the_sample() {
    let md = read("docs/POLICY.md");
    let all = sections(&md);
    let sample = read("docs/policy.toml");
    let keys = policy_keys();
    let mut checked = 0;
    let heading = |table: &str| match table {
        "partner" | "rule" => format!("[[{table}]]"),
        "rule.when" => "when".to_owned(),
        t => format!("[{t}]"),
    };
    for (table, keys) in &keys {
        if table.is_empty() {
            for t in keys {
                section(&all, &heading(t), "docs/POLICY.md");
            }
            continue;
        }
        let heading = heading(table);
        let text = section(&all, &heading, "docs/POLICY.md");
        for key in keys {
            assert!(
                text.contains(&format!("`{key}`")),
                "docs/POLICY.md: the section of {heading} does not mention `{key}`"
            );
            let written = sample.lines().any(|l| {
                let l = l.trim_start_matches('#').trim_start();
                l.starts_with(&format!("{key} ="))
                    || l.contains(&format!("{{ {key} ="))
                    || l.contains(&format!(", {key} ="))
            });
            assert!(
                written,
                "docs/policy.toml does not write `{key}` ({heading})"
            );
            checked += 1;
        }
    }
    assert!(checked > 30, "only {checked} keys checked");
}

#[test]
fn the_sample_policies_pass_check_config() {
    for rel in ["docs/policy.toml", "packaging/policy.toml"] {
        let out = common::sigwatch()
            .arg("check-config")
            .arg(repo().join(rel))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{rel}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Nothing tracked points into the team's workbench beside the clone, except `.ci/run`,
/// which is where CI says where the corpus is.
#[test]
fn the_repository_stands_alone() {
    let out = std::process::Command::new("git")
        .args([
            "grep",
            "-n",
            "-I",
            "-e",
            "[.][.]/shared",
            "--",
            ".",
            ":!.ci/run",
        ])
        .current_dir(repo())
        .output();
    let Ok(out) = out else {
        common::skip("docs::the_repository_stands_alone", "git is not installed");
        return;
    };
    if out.status.code() == Some(128) {
        common::skip("docs::the_repository_stands_alone", "not a git checkout");
        return;
    }
    let hits = String::from_utf8_lossy(&out.stdout);
    assert!(
        hits.trim().is_empty(),
        "references outside the repository:\n{hits}"
    );
}
