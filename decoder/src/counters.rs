//! Counters, each declared once: [`counters!`] writes the struct of plain `u64` fields, the
//! sum of two of them, and each counter's stable name for the report and the metrics. A
//! counter added to a declaration reaches both without another line; `probe`'s tests check
//! that every name declared anywhere appears in a report and on `/metrics`.

/// Declare a struct of counters: `field => "report_name"`, each with its doc comment.
///
/// ```
/// decoder::counters! {
///     /// What a stage did.
///     pub struct StageStats {
///         /// Frames taken in.
///         frames => "stage_frames",
///     }
/// }
/// let mut a = StageStats::default();
/// a.frames += 2;
/// a.add(&a.clone());
/// assert_eq!(a.frames, 4);
/// assert_eq!(StageStats::NAMES, ["stage_frames"]);
/// ```
#[macro_export]
macro_rules! counters {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $( $(#[$fmeta:meta])* $field:ident => $report:literal ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        $vis struct $name {
            $( $(#[$fmeta])* pub $field: u64, )*
        }

        impl $name {
            /// Every counter's report name, in declaration order.
            pub const NAMES: &'static [&'static str] = &[$($report),*];

            /// Add another's counts to these.
            pub fn add(&mut self, other: &Self) {
                $( self.$field += other.$field; )*
            }

            /// Each counter's report name and value, in declaration order.
            pub fn each(&self, mut f: impl FnMut(&'static str, u64)) {
                $( f($report, self.$field); )*
            }
        }
    };
}
