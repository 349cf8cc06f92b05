//! A JSON-lines writer for decode lines and alerts: fields are appended to a reused buffer,
//! so writing a line allocates nothing once the buffer has grown.

use decoder::Digits;

/// Builds one JSON object per line.
#[derive(Debug, Default)]
pub(crate) struct JsonLine {
    buf: Vec<u8>,
    /// One flag per open object: whether it has no field yet.
    empty: Vec<bool>,
}

const HEX: &[u8; 16] = b"0123456789abcdef";

impl JsonLine {
    /// An empty writer.
    pub(crate) fn new() -> Self {
        JsonLine::default()
    }

    /// Start a line.
    pub(crate) fn begin(&mut self) -> &mut Self {
        self.buf.clear();
        self.empty.clear();
        self.buf.push(b'{');
        self.empty.push(true);
        self
    }

    fn key(&mut self, k: &str) {
        if let Some(e) = self.empty.last_mut() {
            if !*e {
                self.buf.push(b',');
            }
            *e = false;
        }
        self.buf.push(b'"');
        self.buf.extend_from_slice(k.as_bytes());
        self.buf.extend_from_slice(b"\":");
    }

    /// An unsigned integer field.
    pub(crate) fn u64(&mut self, k: &str, v: u64) -> &mut Self {
        self.key(k);
        let mut b = itoa::Buffer::new();
        self.buf.extend_from_slice(b.format(v).as_bytes());
        self
    }

    /// A signed integer field.
    pub(crate) fn i64(&mut self, k: &str, v: i64) -> &mut Self {
        self.key(k);
        let mut b = itoa::Buffer::new();
        self.buf.extend_from_slice(b.format(v).as_bytes());
        self
    }

    /// A boolean field.
    pub(crate) fn bool(&mut self, k: &str, v: bool) -> &mut Self {
        self.key(k);
        self.buf
            .extend_from_slice(if v { b"true" } else { b"false" });
        self
    }

    /// A string field.
    pub(crate) fn str(&mut self, k: &str, v: &str) -> &mut Self {
        self.bytes_str(k, v.as_bytes())
    }

    /// A string field from bytes off the wire: valid UTF-8 is kept, other bytes are written as
    /// `\u00XX` (their Latin-1 reading), control characters escaped.
    pub(crate) fn bytes_str(&mut self, k: &str, v: &[u8]) -> &mut Self {
        self.key(k);
        self.buf.push(b'"');
        let mut rest = v;
        while !rest.is_empty() {
            let (valid, bad) = match core::str::from_utf8(rest) {
                Ok(s) => (s, &[][..]),
                Err(e) => {
                    let (ok, after) = rest.split_at(e.valid_up_to());
                    (core::str::from_utf8(ok).unwrap_or(""), after)
                }
            };
            for c in valid.bytes() {
                self.escaped(c);
            }
            if let Some((&b, after)) = bad.split_first() {
                self.buf.extend_from_slice(b"\\u00");
                self.buf.push(HEX[usize::from(b >> 4)]);
                self.buf.push(HEX[usize::from(b & 0xf)]);
                rest = after;
            } else {
                rest = &[];
            }
        }
        self.buf.push(b'"');
        self
    }

    fn escaped(&mut self, c: u8) {
        match c {
            b'"' => self.buf.extend_from_slice(b"\\\""),
            b'\\' => self.buf.extend_from_slice(b"\\\\"),
            b'\n' => self.buf.extend_from_slice(b"\\n"),
            b'\r' => self.buf.extend_from_slice(b"\\r"),
            b'\t' => self.buf.extend_from_slice(b"\\t"),
            0..=0x1f => {
                self.buf.extend_from_slice(b"\\u00");
                self.buf.push(HEX[usize::from(c >> 4)]);
                self.buf.push(HEX[usize::from(c & 0xf)]);
            }
            _ => self.buf.push(c),
        }
    }

    /// A digit string field.
    pub(crate) fn digits(&mut self, k: &str, d: &Digits) -> &mut Self {
        self.bytes_str(k, d.as_bytes())
    }

    /// Bytes as lowercase hex.
    pub(crate) fn hex(&mut self, k: &str, v: &[u8]) -> &mut Self {
        self.key(k);
        self.buf.push(b'"');
        for &b in v {
            self.buf.push(HEX[usize::from(b >> 4)]);
            self.buf.push(HEX[usize::from(b & 0xf)]);
        }
        self.buf.push(b'"');
        self
    }

    /// A time as seconds since the epoch with microsecond precision, trailing zeros trimmed
    /// (`1546300800.123456`, `1546300801.5`, `1546300802.0`).
    pub(crate) fn ts(&mut self, k: &str, ns: u64) -> &mut Self {
        self.key(k);
        write_ts(&mut self.buf, ns);
        self
    }

    /// A floating-point field, written with `digits` decimals.
    pub(crate) fn f64(&mut self, k: &str, v: f64, digits: usize) -> &mut Self {
        use std::io::Write;
        self.key(k);
        if v.is_finite() {
            let _ = write!(self.buf, "{v:.digits$}");
        } else {
            self.buf.extend_from_slice(b"null");
        }
        self
    }

    /// Open a nested object.
    pub(crate) fn object(&mut self, k: &str) -> &mut Self {
        self.key(k);
        self.buf.push(b'{');
        self.empty.push(true);
        self
    }

    /// Close the innermost nested object.
    pub(crate) fn close(&mut self) -> &mut Self {
        if self.empty.len() > 1 {
            self.empty.pop();
            self.buf.push(b'}');
        }
        self
    }

    /// Finish the line (closing any object left open) and return it with its newline.
    pub(crate) fn end(&mut self) -> &[u8] {
        while self.empty.pop().is_some() {
            self.buf.push(b'}');
        }
        self.buf.push(b'\n');
        &self.buf
    }
}

/// Append a time in the form [`JsonLine::ts`] writes.
pub(crate) fn write_ts(buf: &mut Vec<u8>, ns: u64) {
    let secs = ns / 1_000_000_000;
    let mut micros = (ns % 1_000_000_000) / 1_000;
    let mut b = itoa::Buffer::new();
    buf.extend_from_slice(b.format(secs).as_bytes());
    buf.push(b'.');
    if micros == 0 {
        buf.push(b'0');
        return;
    }
    let mut width = 6;
    while micros.is_multiple_of(10) {
        micros /= 10;
        width -= 1;
    }
    let digits = b.format(micros);
    for _ in digits.len()..width {
        buf.push(b'0');
    }
    buf.extend_from_slice(digits.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(ns: u64) -> String {
        let mut v = Vec::new();
        write_ts(&mut v, ns);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn timestamps() {
        assert_eq!(ts(1_546_300_800_123_456_789), "1546300800.123456");
        assert_eq!(ts(1_546_300_801_500_000_000), "1546300801.5");
        assert_eq!(ts(1_546_300_802_000_000_000), "1546300802.0");
        assert_eq!(ts(1_000_001_000), "1.000001");
        assert_eq!(ts(1_010_000_000), "1.01");
    }

    #[test]
    fn nested_and_escaped() {
        let mut j = JsonLine::new();
        j.begin()
            .u64("frame", 17)
            .str("op", "a\"b")
            .object("source")
            .bytes_str("host", b"h\x01\xffx")
            .close()
            .bool("request", true);
        let line = j.end().to_vec();
        assert_eq!(
            String::from_utf8(line).unwrap(),
            "{\"frame\":17,\"op\":\"a\\\"b\",\"source\":{\"host\":\"h\\u0001\\u00ffx\"},\"request\":true}\n"
        );
    }
}
