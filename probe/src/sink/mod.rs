//! Output: JSON lines (decode lines, alerts), the report, the summary table.

pub(crate) mod alerts;
pub mod export;
pub(crate) mod html;
pub(crate) mod json;
pub(crate) mod metrics;
pub mod report;
pub mod summary;
