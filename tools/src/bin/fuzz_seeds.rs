//! `fuzz-seeds OUT CAPTURE...`: seed corpora for the cargo-fuzz targets in `fuzz/`, cut from
//! capture files (siggen's, and any public ones named): whole files for `capture`,
//! runs of frames for `frame`, and each layer's bytes for the layer targets. The corpora are
//! written, never committed (the captures' licences differ).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use decoder::capture::CaptureReader;
use decoder::link::{parse_link, LinkType};
use decoder::m3ua::{parse_m3ua_message, parse_m3ua_transfer};
use decoder::sccp::{parse_sccp_message, Message as Sccp};
use decoder::sctp::{parse_sctp_data_chunk, parse_sctp_packet, Ppid};

struct Corpus {
    out: PathBuf,
    seen: HashSet<(String, Vec<u8>)>,
    written: usize,
}

impl Corpus {
    fn put(&mut self, target: &str, bytes: &[u8]) -> Result<()> {
        if bytes.is_empty() || !self.seen.insert((target.to_owned(), bytes.to_vec())) {
            return Ok(());
        }
        let dir = self.out.join(target);
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join(format!("seed-{:06}", self.seen.len())), bytes)?;
        self.written += 1;
        Ok(())
    }
}

/// The layer targets' inputs in one frame.
fn layers(c: &mut Corpus, link: LinkType, frame: &[u8]) -> Result<()> {
    let Ok(l) = parse_link(link, frame) else {
        return Ok(());
    };
    let ip = match decoder::ip::parse_ipv4_packet(l.payload) {
        Ok(ip) => ip,
        Err(_) => match decoder::ip::parse_ipv6_packet(l.payload) {
            Ok(ip) => ip,
            Err(_) => return Ok(()),
        },
    };
    let Ok((_, chunks)) = parse_sctp_packet(ip.payload) else {
        return Ok(());
    };
    c.put("sctp", ip.payload)?;
    for chunk in chunks.flatten() {
        let Ok(d) = parse_sctp_data_chunk(&chunk) else {
            continue;
        };
        if d.ppid == Ppid::DIAMETER {
            c.put("diameter", d.data)?;
            c.put("diameter_diff", d.data)?;
            continue;
        }
        let Ok((_, m)) = parse_m3ua_message(d.data) else {
            continue;
        };
        c.put("m3ua", d.data)?;
        let Ok(t) = parse_m3ua_transfer(&m) else {
            continue;
        };
        c.put("sccp", t.data.data)?;
        if let Ok(Sccp::Unitdata(u)) = parse_sccp_message(t.data.data) {
            c.put("tcap", u.data)?;
            c.put("tcap_diff", u.data)?;
            map_params(c, u.data)?;
        }
    }
    Ok(())
}

/// The `map` target's inputs (operation, component type, parameter) and `map_diff`'s
/// (operation selector, argument) from a TCAP message's components.
fn map_params(c: &mut Corpus, tcap: &[u8]) -> Result<()> {
    use decoder::tcap::{parse_tcap_message, ComponentKind, Components, Tcap};
    let Ok(Tcap::Itu(m)) = parse_tcap_message(tcap) else {
        return Ok(());
    };
    for comp in Components::new(&m).flatten() {
        let (Some(op), Some(p)) = (comp.op.and_then(|o| o.local()), comp.parameter) else {
            continue;
        };
        let Ok(op) = u8::try_from(op) else {
            continue;
        };
        let kind = match comp.kind {
            ComponentKind::Invoke => 0,
            ComponentKind::ReturnResultLast => 1,
            ComponentKind::ReturnResult => 2,
            ComponentKind::ReturnError => 3,
            ComponentKind::Reject => 4,
        };
        c.put("map", &[&[op, kind][..], p.raw].concat())?;
        if let (0, Some(which)) = (kind, [2u8, 45, 71, 56].iter().position(|&o| o == op)) {
            c.put("map_diff", &[&[which as u8][..], p.raw].concat())?;
        }
    }
    Ok(())
}

fn capture(c: &mut Corpus, path: &Path) -> Result<()> {
    let bytes = std::fs::read(path).with_context(|| format!("{}", path.display()))?;
    // The capture target gets the file's start: the headers and the first records.
    c.put("capture", &bytes[..bytes.len().min(16 * 1024)])?;
    let mut r = CaptureReader::new(std::fs::File::open(path)?)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let mut run = Vec::new();
    let mut n = 0;
    while let Ok(Some(rec)) = r.next_record() {
        layers(c, rec.linktype, rec.data)?;
        // The frame target: a link byte, then frames behind two-byte lengths, eight at a time.
        if run.is_empty() {
            run.push(match rec.linktype {
                LinkType::ETHERNET => 0,
                LinkType::RAW => 1,
                LinkType::LINUX_SLL => 2,
                LinkType::LINUX_SLL2 => 3,
                _ => 4,
            });
        }
        let len = rec.data.len().min(u16::MAX as usize);
        run.extend_from_slice(&(len as u16).to_be_bytes());
        run.extend_from_slice(&rec.data[..len]);
        n += 1;
        if n % 8 == 0 {
            c.put("frame", &run)?;
            run.clear();
        }
        if n >= 4_000 {
            break;
        }
    }
    c.put("frame", &run)
}

fn main() -> Result<()> {
    let mut args = std::env::args_os().skip(1);
    let out = PathBuf::from(args.next().context("usage: fuzz-seeds OUT CAPTURE...")?);
    let mut c = Corpus {
        out,
        seen: HashSet::new(),
        written: 0,
    };
    for path in args {
        capture(&mut c, Path::new(&path))?;
    }
    c.put("policy", siggen::net::policy_toml().as_bytes())?;
    c.put("policy", siggen::scenario::seed(1, 1).policy.as_bytes())?;
    eprintln!("fuzz-seeds: {} seeds -> {}", c.written, c.out.display());
    Ok(())
}
