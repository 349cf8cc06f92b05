//! Output: JSON lines (decode lines, alerts), the report, the summary table.

pub mod alerts;
pub mod export;
pub mod html;
pub mod json;
pub mod metrics;
pub mod report;
pub mod summary;
