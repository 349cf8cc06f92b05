//! `--state-dir`: the subscriber state kept across restarts. At start the snapshot is read,
//! checked whole ([`rules::snapshot`]), stripped of subscribers last seen more than
//! `state_max_age_s` before its newest, and handed to the shards that own them. Every worker
//! sends what its shard knows every `state_snapshot_s` and when it finishes; once every worker
//! has sent, the file is written atomically (a temporary file, then a rename).
//!
//! A file that is refused costs one line on stderr and an empty start; the run goes on.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rules::engine::Engine;
use rules::snapshot::{self, Record};

/// The file in the state directory.
pub(crate) const FILE: &str = "subscribers.state";

/// What happened to the state, for the report (`counters.snapshot`).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Counts {
    pub(crate) loaded: u64,
    pub(crate) expired: u64,
    pub(crate) refused: u64,
    pub(crate) written: u64,
    pub(crate) subscribers_written: u64,
    pub(crate) bytes_written: u64,
}

/// The snapshot file and the parts of the next one.
#[derive(Debug)]
pub(crate) struct Snapshots {
    path: PathBuf,
    fingerprint: u64,
    parts: Vec<Option<Vec<Record>>>,
    loaded: Vec<Vec<Record>>,
    pub(crate) counts: Counts,
}

impl Snapshots {
    /// Open the state directory of a run of `workers` workers and read its snapshot.
    pub(crate) fn open(engine: &Engine, dir: &Path, workers: usize, quiet: bool) -> Result<Self> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("{}: cannot create", dir.display()))?;
        let path = dir.join(FILE);
        let fingerprint = snapshot::fingerprint(engine);
        let mut s = Snapshots {
            path,
            fingerprint,
            parts: vec![None; workers],
            loaded: vec![Vec::new(); workers],
            counts: Counts::default(),
        };
        let bytes = match std::fs::read(&s.path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(s),
            Err(e) => return Err(e).with_context(|| format!("{}: cannot read", s.path.display())),
        };
        match snapshot::decode(&bytes, fingerprint) {
            Ok(records) => {
                let max_age = engine
                    .policy
                    .thresholds
                    .state_max_age_s
                    .saturating_mul(1_000_000_000);
                let newest = records.iter().map(|r| r.seen_ns).max().unwrap_or(0);
                for r in records {
                    if r.seen_ns.saturating_add(max_age) < newest {
                        s.counts.expired += 1;
                        continue;
                    }
                    s.counts.loaded += 1;
                    s.loaded[crate::worker::shard_of(r.key, workers)].push(r);
                }
                if !quiet {
                    eprintln!(
                        "sigwatch: {}: {} subscribers loaded ({} too old)",
                        s.path.display(),
                        s.counts.loaded,
                        s.counts.expired
                    );
                }
            }
            Err(why) => {
                s.counts.refused += 1;
                eprintln!(
                    "sigwatch: {}: refused: {why}; starting with no subscriber state",
                    s.path.display()
                );
            }
        }
        Ok(s)
    }

    /// Each worker's share of what was loaded (taken once).
    pub(crate) fn take_loaded(&mut self) -> Vec<Vec<Record>> {
        std::mem::take(&mut self.loaded)
    }

    /// Worker `w`'s state; once every worker has sent one, the snapshot is written.
    pub(crate) fn put(&mut self, w: usize, records: Vec<Record>) -> Result<()> {
        if let Some(slot) = self.parts.get_mut(w) {
            *slot = Some(records);
        }
        if self.parts.iter().any(Option::is_none) {
            return Ok(());
        }
        let mut all: Vec<Record> = Vec::new();
        for p in &mut self.parts {
            all.extend(p.take().unwrap_or_default());
        }
        let bytes = snapshot::encode(&all, self.fingerprint);
        crate::sink::report::write_atomic(&self.path, &bytes)?;
        self.counts.written += 1;
        self.counts.subscribers_written = all.len() as u64;
        self.counts.bytes_written = bytes.len() as u64;
        Ok(())
    }
}
