//! Output: JSON lines (decode lines, alerts), the report, the summary table.

pub mod json;
