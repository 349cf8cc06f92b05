//! Digit strings: E.164 numbers, IMSIs and global titles, decoded from (T)BCD and held inline.
//!
//! A [`Digits`] is 33 bytes on the stack: decoding one never allocates, and it can be copied
//! into shard state or an alert record as it is.

use core::fmt;

/// The most digits a [`Digits`] holds. E.164 numbers and IMSIs have at most 15; global titles
/// are rarely longer than 20. Longer strings are cut and flagged with [`Digits::is_truncated`].
pub(crate) const MAX_DIGITS: usize = 32;

/// A digit string in ASCII (`0`-`9`, and `*`, `#`, `a`, `b`, `c` for the TBCD codes 10-14).
/// The bytes past the last digit are zero, so equal strings are equal values.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digits {
    /// Number of digits; the top bit flags truncation.
    len: u8,
    buf: [u8; MAX_DIGITS],
}

const TRUNCATED: u8 = 0x80;

/// The characters of the TBCD codes 0-15.
pub(crate) const TBCD: [u8; 16] = *b"0123456789*#abc?";

impl Digits {
    /// The empty string.
    pub(crate) const EMPTY: Digits = Digits {
        len: 0,
        buf: [0; MAX_DIGITS],
    };

    /// TBCD as 3GPP TS 29.002 encodes IMSIs and address strings: two digits per octet, the
    /// first in the low nibble; a high nibble of `F` is the filler after an odd digit count.
    pub fn from_tbcd(bytes: &[u8]) -> Digits {
        match Digits::straight_tbcd(bytes) {
            Some(d) => d,
            None => Digits::from_tbcd_by_octet(bytes),
        }
    }

    /// [`Digits::from_tbcd`] for what nearly every IMSI and number is: at most eight octets of
    /// decimal digits. The octets are read as one word and their sixteen nibbles spread into
    /// sixteen bytes by shifts and masks (SWAR), instead of a branch and a table look-up per
    /// digit; the first `F` ends the string, as octet by octet. `None` when a digit before it
    /// is `*`, `#`, `a`, `b` or `c` (or there are more octets): the octet-by-octet reading
    /// decides those.
    #[inline]
    fn straight_tbcd(bytes: &[u8]) -> Option<Digits> {
        const ONES: u64 = 0x0101_0101_0101_0101;
        let n = bytes.len();
        if n > 8 {
            return None;
        }
        // The missing octets read as filler (`FF`), so a string of eight full octets and a
        // shorter one end alike.
        let w = short_word(bytes) | u64::MAX.checked_shl(8 * n as u32).unwrap_or(0);
        // Four octets to eight digit bytes: octet i to bytes 2i and 2i+1, then the low nibble
        // (the first digit) into the first byte and the high one into the second.
        let spread = |x: u64| {
            let x = (x | x << 16) & 0x0000_ffff_0000_ffff;
            let x = (x | x << 8) & 0x00ff_00ff_00ff_00ff;
            (x & 0x000f_000f_000f_000f) | (x << 4 & 0x0f00_0f00_0f00_0f00)
        };
        let (a, b) = (spread(w & 0xffff_ffff), spread(w >> 32));
        // A byte of 15 carries into bit 4 when 1 is added; of 10 or more, when 6 is.
        let f = |d: u64| (d + ONES) & (0x10 * ONES);
        let (fa, fb) = (f(a), f(b));
        let len = if fa != 0 {
            fa.trailing_zeros() / 8
        } else if fb != 0 {
            8 + fb.trailing_zeros() / 8
        } else {
            16
        };
        let keep = |bytes: u32| u64::MAX.checked_shr(64 - 8 * bytes).unwrap_or(0);
        let (ka, kb) = (keep(len.min(8)), keep(len.saturating_sub(8)));
        let other = |d: u64| (d + 6 * ONES) & (0x10 * ONES);
        if other(a) & ka | other(b) & kb != 0 {
            return None;
        }
        let mut d = Digits::EMPTY;
        d.buf[..8].copy_from_slice(&((a | (0x30 * ONES)) & ka).to_le_bytes());
        d.buf[8..16].copy_from_slice(&((b | (0x30 * ONES)) & kb).to_le_bytes());
        d.len = len as u8;
        Some(d)
    }

    /// [`Digits::from_tbcd`], an octet at a time: any length, any digit.
    fn from_tbcd_by_octet(bytes: &[u8]) -> Digits {
        // Sixteen octets fill the buffer exactly; anything after them is cut.
        let (head, tail) = bytes.split_at(bytes.len().min(MAX_DIGITS / 2));
        let mut d = Digits::EMPTY;
        let mut n = 0;
        for &b in head {
            let (lo, hi) = (b & 0x0f, b >> 4);
            if lo == 0x0f {
                break;
            }
            d.buf[n] = TBCD[usize::from(lo)];
            n += 1;
            if hi == 0x0f {
                break;
            }
            d.buf[n] = TBCD[usize::from(hi)];
            n += 1;
        }
        d.len = n as u8;
        if n == MAX_DIGITS && tail.first().is_some_and(|b| b & 0x0f != 0x0f) {
            d.len |= TRUNCATED;
        }
        d
    }

    /// BCD as SCCP global titles carry it (ITU-T Q.713 §3.4.2.3): low nibble first, and the
    /// encoding scheme says whether the count is odd, in which case the last high nibble is
    /// padding whatever its value.
    pub(crate) fn from_bcd(bytes: &[u8], odd: bool) -> Digits {
        let (head, tail) = bytes.split_at(bytes.len().min(MAX_DIGITS / 2));
        let mut d = Digits::EMPTY;
        let mut n = 0;
        for &b in head {
            d.buf[n] = TBCD[usize::from(b & 0x0f)];
            d.buf[n + 1] = TBCD[usize::from(b >> 4)];
            n += 2;
        }
        if odd && tail.is_empty() && n > 0 {
            n -= 1;
            d.buf[n] = 0;
        }
        d.len = n as u8;
        if !tail.is_empty() {
            d.len |= TRUNCATED;
        }
        d
    }

    /// Digits from text; `None` if `s` holds anything but `0-9 * # a b c` or is too long.
    pub fn from_ascii(s: &str) -> Option<Digits> {
        if s.len() > MAX_DIGITS {
            return None;
        }
        let mut d = Digits::EMPTY;
        for &c in s.as_bytes() {
            if !matches!(c, b'0'..=b'9' | b'*' | b'#' | b'a'..=b'c') {
                return None;
            }
            d.push(c);
        }
        Some(d)
    }

    /// Digits from decimal text; `None` if `s` is empty, longer than [`MAX_DIGITS`] or holds
    /// anything but `0-9`.
    pub(crate) fn from_decimal(s: &[u8]) -> Option<Digits> {
        if s.is_empty() || s.len() > MAX_DIGITS {
            return None;
        }
        let mut d = Digits::EMPTY;
        for (slot, &c) in d.buf.iter_mut().zip(s) {
            if !c.is_ascii_digit() {
                return None;
            }
            *slot = c;
        }
        d.len = s.len() as u8;
        Some(d)
    }

    /// The decimal digits of `s`, skipping any other character (`1-206-555` → `1206555`).
    pub(crate) fn from_decimal_chars(s: &[u8]) -> Digits {
        let mut d = Digits::EMPTY;
        for &c in s.iter().filter(|c| c.is_ascii_digit()) {
            d.push(c);
        }
        d
    }

    pub(crate) fn push(&mut self, c: u8) {
        let n = self.len();
        if n < MAX_DIGITS {
            self.buf[n] = c;
            self.len += 1;
        } else {
            self.len |= TRUNCATED;
        }
    }

    /// Number of digits held.
    pub(crate) const fn len(&self) -> usize {
        (self.len & !TRUNCATED) as usize
    }

    /// No digits.
    pub const fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The source held more than [`MAX_DIGITS`] digits.
    #[cfg(test)]
    pub(crate) const fn is_truncated(&self) -> bool {
        self.len & TRUNCATED != 0
    }

    /// The digits as ASCII bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len()]
    }

    /// The digits as text.
    pub fn as_str(&self) -> &str {
        // Only the ASCII characters of `TBCD` are ever pushed.
        core::str::from_utf8(self.as_bytes()).unwrap_or("")
    }

    /// Whether the string starts with `prefix`.
    pub fn starts_with(&self, prefix: &[u8]) -> bool {
        self.as_bytes().starts_with(prefix)
    }

    /// The first `n` digits (or all of them).
    #[must_use]
    #[cfg(test)]
    pub(crate) fn prefix(&self, n: usize) -> Digits {
        let mut d = *self;
        let n = n.min(self.len());
        d.len = n as u8;
        d.buf[n..].fill(0);
        d
    }

    /// Eight bytes of the buffer from `i` (at most 24) as a big-endian word: the first
    /// character in the top byte, zero past the last.
    #[inline]
    pub(crate) fn word(&self, i: usize) -> u64 {
        let mut w = [0u8; 8];
        w.copy_from_slice(&self.buf[i..i + 8]);
        u64::from_be_bytes(w)
    }

    /// The value as a number, if every character is a decimal digit and it fits (≤ 19 digits).
    #[cfg(test)]
    pub(crate) fn to_u64(self) -> Option<u64> {
        const POW10: [u64; 8] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000];
        const ZEROS: u64 = 0x3030_3030_3030_3030;
        let n = self.len();
        if n == 0 || n > 19 {
            return None;
        }
        // Eight digits at a time, read as words from the buffer (SWAR), instead of one
        // multiply per digit. The last, partial word is moved up behind leading '0's, which
        // change nothing; bytes past the end (`prefix` leaves them) are shifted out.
        let word = |i: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&self.buf[i..i + 8]);
            u64::from_le_bytes(w)
        };
        let mut v = 0u64;
        let mut i = 0;
        while n - i >= 8 {
            v = v * 100_000_000 + u64::from(eight_digits(word(i))?);
            i += 8;
        }
        let k = n - i;
        if k > 0 {
            // i ≤ 16, so the word lies inside the 32-byte buffer; 1 ≤ k ≤ 7.
            let shift = 8 * (8 - k) as u32;
            let w = word(i) << shift | ZEROS >> (64 - shift);
            v = v * POW10[k] + u64::from(eight_digits(w)?);
        }
        Some(v)
    }
}

/// The value of eight ASCII digits packed in a little-endian word (the first digit in the
/// low byte), or `None` when a byte is not a digit.
#[inline]
#[cfg(test)]
fn eight_digits(w: u64) -> Option<u32> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    if !eight_decimal_bytes(w) {
        return None;
    }
    let mut v = w - 0x30 * ONES;
    v = (v * 10 + (v >> 8)) & 0x00ff_00ff_00ff_00ff;
    v = (v * 100 + (v >> 16)) & 0x0000_ffff_0000_ffff;
    v = (v * 10_000 + (v >> 32)) & 0xffff_ffff;
    Some(v as u32)
}

/// Whether every byte of a word is an ASCII decimal digit.
#[inline]
pub(crate) fn eight_decimal_bytes(w: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    // A digit is 0x30..=0x39: high nibble 3, and low nibble + 6 stays below 16.
    let high_ok = w & (0xf0 * ONES) == 0x30 * ONES;
    let low_ok = ((w & (0x0f * ONES)) + 6 * ONES) & (0xf0 * ONES) == 0;
    high_ok && low_ok
}

impl Default for Digits {
    fn default() -> Self {
        Digits::EMPTY
    }
}

impl fmt::Debug for Digits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digits({:?})", self.as_str())
    }
}

impl fmt::Display for Digits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Up to eight bytes as a little-endian word, zero-padded. Two loads that overlap when the
/// string is shorter than their sum, instead of a copy of a length known only at run time (a
/// call to `memcpy` for a few bytes).
#[inline]
pub fn short_word(b: &[u8]) -> u64 {
    let n = b.len();
    debug_assert!(n <= 8, "{n} bytes");
    match (b.first_chunk::<4>(), b.last_chunk::<4>()) {
        (Some(first), Some(last)) => {
            u64::from(u32::from_le_bytes(*first))
                | u64::from(u32::from_le_bytes(*last)) << (8 * (n - 4))
        }
        _ => match (b.first(), b.last()) {
            (Some(&first), Some(&last)) => {
                u64::from(first)
                    | u64::from(b[n / 2]) << (8 * (n / 2))
                    | u64::from(last) << (8 * (n - 1))
            }
            _ => 0,
        },
    }
}

/// Encode ASCII digits as TBCD (filler `F` after an odd count), appending to `out`.
pub(crate) fn encode_tbcd(digits: &str, out: &mut Vec<u8>) {
    let nib = |c: u8| match c {
        b'0'..=b'9' => c - b'0',
        b'*' => 10,
        b'#' => 11,
        b'a' => 12,
        b'b' => 13,
        b'c' => 14,
        _ => 0x0f,
    };
    for pair in digits.as_bytes().chunks(2) {
        let lo = nib(pair[0]);
        let hi = pair.get(1).map_or(0x0f, |&c| nib(c));
        out.push(lo | (hi << 4));
    }
}

/// A PLMN identity (MCC and MNC), as 3GPP TS 24.008 §10.5.1.13 packs it into three octets.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Plmn {
    /// Mobile country code, 3 digits.
    pub mcc: u16,
    /// Mobile network code, 2 or 3 digits.
    pub mnc: u16,
    /// Whether the MNC has three digits.
    pub mnc3: bool,
}

impl Plmn {
    /// Decode the three-octet form (`MCC2 MCC1 | MNC3 MCC3 | MNC2 MNC1`).
    pub(crate) fn from_octets(b: [u8; 3]) -> Option<Plmn> {
        let d = |n: u8| if n <= 9 { Some(u16::from(n)) } else { None };
        let mcc = d(b[0] & 0x0f)? * 100 + d(b[0] >> 4)? * 10 + d(b[1] & 0x0f)?;
        let mnc3 = b[1] >> 4;
        let mnc12 = d(b[2] & 0x0f)? * 10 + d(b[2] >> 4)?;
        if mnc3 == 0x0f {
            Some(Plmn {
                mcc,
                mnc: mnc12,
                mnc3: false,
            })
        } else {
            Some(Plmn {
                mcc,
                mnc: mnc12 * 10 + d(mnc3)?,
                mnc3: true,
            })
        }
    }

    /// Encode into the three-octet form.
    #[cfg(test)]
    pub(crate) fn to_octets(self) -> [u8; 3] {
        let mcc = [self.mcc / 100, self.mcc / 10 % 10, self.mcc % 10];
        let (m1, m2, m3) = if self.mnc3 {
            (self.mnc / 100, self.mnc / 10 % 10, self.mnc % 10)
        } else {
            (self.mnc / 10, self.mnc % 10, 0x0f)
        };
        [
            (mcc[0] | mcc[1] << 4) as u8,
            (mcc[2] | m3 << 4) as u8,
            (m1 | m2 << 4) as u8,
        ]
    }

    /// The PLMN that starts an IMSI, given the MNC length (2 or 3 digits).
    pub fn from_imsi(imsi: &Digits, mnc_len: usize) -> Option<Plmn> {
        let b = imsi.as_bytes();
        if b.len() < 3 + mnc_len || !b[..3 + mnc_len].iter().all(u8::is_ascii_digit) {
            return None;
        }
        let num = |s: &[u8]| s.iter().fold(0u16, |a, &c| a * 10 + u16::from(c - b'0'));
        Some(Plmn {
            mcc: num(&b[..3]),
            mnc: num(&b[3..3 + mnc_len]),
            mnc3: mnc_len == 3,
        })
    }
}

impl fmt::Display for Plmn {
    /// `MCC-MNC`, as the policy file and alerts write it (`310-410`, `234-15`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mnc3 {
            write!(f, "{:03}-{:03}", self.mcc, self.mnc)
        } else {
            write!(f, "{:03}-{:02}", self.mcc, self.mnc)
        }
    }
}

impl fmt::Debug for Plmn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Plmn({self})")
    }
}

impl core::str::FromStr for Plmn {
    type Err = &'static str;

    /// Parse `MCC-MNC` (`310-410`, `234-15`).
    fn from_str(s: &str) -> Result<Plmn, &'static str> {
        let (mcc, mnc) = s.split_once('-').ok_or("expected MCC-MNC, e.g. 310-410")?;
        let digits = |t: &str| !t.is_empty() && t.bytes().all(|c| c.is_ascii_digit());
        if mcc.len() != 3 || !digits(mcc) {
            return Err("MCC must be 3 digits");
        }
        if !(mnc.len() == 2 || mnc.len() == 3) || !digits(mnc) {
            return Err("MNC must be 2 or 3 digits");
        }
        Ok(Plmn {
            mcc: mcc.parse().map_err(|_| "bad MCC")?,
            mnc: mnc.parse().map_err(|_| "bad MNC")?,
            mnc3: mnc.len() == 3,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;
    use proptest::prelude::*;

    proptest! {
        /// The word-at-a-time conversion agrees with the obvious one, digits or not.
        #[test]
        fn to_u64_is_the_decimal_value(s in "[0-9]{1,19}|[0-9*#a-c]{1,19}|[0-9]{20,24}") {
            let want = if s.len() <= 19 && s.bytes().all(|b| b.is_ascii_digit()) {
                s.parse::<u64>().ok()
            } else {
                None
            };
            prop_assert_eq!(Digits::from_ascii(&s).unwrap().to_u64(), want);
        }
    }

    proptest! {
        /// Two overlapping loads read what a zero-padded copy of the bytes reads, at every
        /// length (the copy is what `short_word` replaced).
        #[test]
        fn short_word_is_a_zero_padded_copy(b in proptest::collection::vec(any::<u8>(), 0..=8)) {
            let mut x = [0u8; 8];
            x[..b.len()].copy_from_slice(&b);
            prop_assert_eq!(short_word(&b), u64::from_le_bytes(x));
        }


        /// The straight TBCD reading is the octet-by-octet one wherever it reads anything, and
        /// it reads every string of at most eight octets whose digits before the first `F`
        /// are decimal. Nibbles are mostly digits, with fillers and `*#abc` among them.
        #[test]
        fn straight_tbcd_reading_is_the_general_one(
            octets in proptest::collection::vec(
                (
                    prop_oneof![8 => 0u8..=9, 1 => 10u8..=14, 1 => Just(15u8)],
                    prop_oneof![8 => 0u8..=9, 1 => 10u8..=14, 1 => Just(15u8)],
                )
                    .prop_map(|(lo, hi)| hi << 4 | lo),
                0..=10,
            )
        ) {
            let general = Digits::from_tbcd_by_octet(&octets);
            let decimal = general.as_bytes().iter().all(u8::is_ascii_digit);
            match Digits::straight_tbcd(&octets) {
                Some(d) => prop_assert_eq!(d, general),
                None => prop_assert!(octets.len() > 8 || !decimal, "{:02x?} not read", octets),
            }
            prop_assert_eq!(Digits::from_tbcd(&octets), general);
        }
    }

    /// Every octet value at every place of an IMSI (and of each shorter cut of it) reads as
    /// octet by octet.
    #[test]
    fn straight_tbcd_reading_takes_every_octet_anywhere() {
        let imsi = hex!("13 00 14 10 32 54 76 f8");
        for len in 0..=imsi.len() {
            for at in 0..len {
                for v in 0..=255u8 {
                    let mut b = imsi[..len].to_vec();
                    b[at] = v;
                    if let Some(d) = Digits::straight_tbcd(&b) {
                        assert_eq!(d, Digits::from_tbcd_by_octet(&b), "{b:02x?}");
                    }
                    assert_eq!(Digits::from_tbcd(&b), Digits::from_tbcd_by_octet(&b));
                }
            }
        }
        assert_eq!(
            Digits::straight_tbcd(&imsi).map(|d| d.to_string()),
            Some("310041012345678".to_string())
        );
    }

    #[test]
    fn to_u64_ignores_what_a_prefix_cut_off() {
        let d = Digits::from_ascii("310150123456789").unwrap();
        for k in 1..=15 {
            let want = d.as_str()[..k].parse::<u64>().ok();
            assert_eq!(d.prefix(k).to_u64(), want, "{k} digits");
        }
        // A non-digit beyond the prefix does not count.
        assert_eq!(
            Digits::from_ascii("12#").unwrap().prefix(2).to_u64(),
            Some(12)
        );
    }

    #[test]
    fn to_u64_edges() {
        let v = |s: &str| Digits::from_ascii(s).unwrap().to_u64();
        assert_eq!(v("0"), Some(0));
        assert_eq!(v("9999999999999999999"), Some(9_999_999_999_999_999_999));
        assert_eq!(v("310410000000001"), Some(310_410_000_000_001));
        assert_eq!(v("12345678*"), None);
        assert_eq!(v("a"), None);
        assert_eq!(v("1#"), None);
        // TBCD's other symbols (*, #, a-c) are not decimal digits.
        assert_eq!(Digits::from_tbcd(&hex!("21 e3")).to_u64(), None);
        assert_eq!(Digits::EMPTY.to_u64(), None);
    }

    #[test]
    fn tbcd_odd_and_even() {
        // IMSI 234157799310552 (15 digits) from pcapr-m3ua-map-mixed frame 1.
        let d = Digits::from_tbcd(&hex!("32 14 75 97 39 01 55 f2"));
        assert_eq!(d.as_str(), "234157799310552");
        assert_eq!(Digits::from_tbcd(&hex!("21 43")).as_str(), "1234");
        assert_eq!(Digits::from_tbcd(&hex!("a1 fb")).as_str(), "1*#");
    }

    #[test]
    fn bcd_global_title_respects_odd_flag() {
        assert_eq!(Digits::from_bcd(&hex!("21 43 05"), true).as_str(), "12345");
        assert_eq!(
            Digits::from_bcd(&hex!("21 43 05"), false).as_str(),
            "123450"
        );
    }

    #[test]
    fn equal_strings_are_equal_values() {
        let ascii = |s: &str| Digits::from_ascii(s).unwrap();
        // The padding nibble of an odd global title is not kept.
        assert_eq!(Digits::from_bcd(&hex!("21 43 05"), true), ascii("12345"));
        assert_eq!(Digits::from_bcd(&hex!("21 43 95"), true), ascii("12345"));
        // Nor the digits a prefix leaves out.
        assert_eq!(ascii("310150123456789").prefix(6), ascii("310150"));
        let words = |d: Digits| [0, 8, 16, 24].map(|i| d.word(i));
        assert_eq!(
            words(ascii("310150123456789").prefix(6)),
            words(ascii("310150"))
        );
        assert_eq!(ascii("12345678").word(0), u64::from_be_bytes(*b"12345678"));
        assert_eq!(ascii("123456789").word(8), u64::from(b'9') << 56);
    }

    #[test]
    fn long_strings_are_cut_and_flagged() {
        let d = Digits::from_tbcd(&[0x11; 40]);
        assert_eq!(d.len(), MAX_DIGITS);
        assert!(d.is_truncated());
    }

    #[test]
    fn tbcd_round_trip() {
        for s in ["", "1", "12", "123456789012345", "12*#abc"] {
            let mut v = Vec::new();
            encode_tbcd(s, &mut v);
            assert_eq!(Digits::from_tbcd(&v).as_str(), s);
        }
    }

    #[test]
    fn plmn_octets_round_trip() {
        // 310-410 is "13 00 14" in 24.008 order; 234-15 is "32 f4 51".
        let p: Plmn = "310-410".parse().unwrap();
        assert_eq!(p.to_octets(), hex!("13 00 14"));
        assert_eq!(Plmn::from_octets(hex!("13 00 14")), Some(p));
        let q: Plmn = "234-15".parse().unwrap();
        assert_eq!(q.to_octets(), hex!("32 f4 51"));
        assert_eq!(q.to_string(), "234-15");
        assert!("23-15".parse::<Plmn>().is_err());
        assert!("234-1".parse::<Plmn>().is_err());
    }

    #[test]
    fn plmn_from_imsi() {
        let imsi = Digits::from_ascii("310410123456789").unwrap();
        assert_eq!(Plmn::from_imsi(&imsi, 3).unwrap().to_string(), "310-410");
        assert_eq!(Plmn::from_imsi(&imsi, 2).unwrap().to_string(), "310-41");
    }
}
