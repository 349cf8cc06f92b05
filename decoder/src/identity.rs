//! A subscriber's identity, an IMSI or an MSISDN, packed four bits a digit.
//!
//! Every message the classifier judges names its subscriber, and every subscriber is keyed,
//! copied into verdicts and jobs, and compared; few are ever printed. So the decoder keeps
//! them packed as the wire has them (TBCD nibbles, in order) rather than as text: reading one
//! is a byte swap and a few masks, its key is its first word, and `Option<Identity>` is 16
//! bytes against 34 for a [`Digits`]. [`Identity::digits`] reads it out for what prints it.

use core::fmt;
use core::num::NonZeroU64;

use crate::digits::{eight_decimal_bytes, short_word, Digits, TBCD};

/// The most digits an [`Identity`] holds: 31, so that a filler always follows the last. An
/// IMSI has at most 15 (E.212), an MSISDN at most 15 (E.164); MAP's TBCD strings encode up to
/// 16 (IMSI) and 38 (AddressString), and anything over 31 is no subscriber's identity.
pub(crate) const MAX_IDENTITY_DIGITS: usize = 31;

/// Every nibble `F`.
const FILL: u64 = u64::MAX;

/// A one in every byte.
const ONES: u64 = 0x0101_0101_0101_0101;

/// 1 to 31 TBCD digits (`0`-`9`, and `*`, `#`, `a`, `b`, `c` for the codes 10-14) packed four
/// bits each into two words: the first digit in the top nibble of `hi`, then in order through
/// `lo`, and the filler `F` in every nibble after the last. Equal strings, equal values.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Identity {
    hi: u64,
    /// Never zero: its last nibble, the 32nd, is always the filler.
    lo: NonZeroU64,
}

/// A word's nibbles that are `F`, each marked by its lowest bit.
#[inline]
fn filler_nibbles(x: u64) -> u64 {
    x & x >> 1 & x >> 2 & x >> 3 & 0x1111_1111_1111_1111
}

/// Where the first `F` of two words is, in nibbles from the top of `hi`; `None` when there
/// is none.
#[inline]
fn first_filler(hi: u64, lo: u64) -> Option<u32> {
    let (fh, fl) = (filler_nibbles(hi), filler_nibbles(lo));
    if fh != 0 {
        Some(fh.leading_zeros() / 4)
    } else if fl != 0 {
        Some(16 + fl.leading_zeros() / 4)
    } else {
        None
    }
}

/// Up to eight TBCD octets as a word of nibbles in digit order (the first digit on top),
/// the missing octets read as filler.
#[inline]
fn tbcd_word(octets: &[u8]) -> u64 {
    let n = octets.len().min(8);
    let w = short_word(&octets[..n]) | FILL.checked_shl(8 * n as u32).unwrap_or(0);
    // Octet i holds digit 2i in its low nibble and 2i+1 in its high one: swap the nibbles,
    // then put octet 0 on top.
    ((w >> 4 & 0x0f0f_0f0f_0f0f_0f0f) | (w & 0x0f0f_0f0f_0f0f_0f0f) << 4).swap_bytes()
}

impl Identity {
    /// The two words with everything from the first `F` on made filler; `None` when the first
    /// nibble is `F` (no digit) or no nibble is (32 digits or more).
    #[inline]
    fn ended(hi: u64, lo: u64) -> Option<Identity> {
        // Shifts of at most 60 bits: n ≥ 1 in `hi`, n - 16 ≤ 15 in `lo`.
        let (hi, lo) = match first_filler(hi, lo)? {
            0 => return None,
            n @ 1..=15 => (hi | FILL >> (4 * n), FILL),
            n => (hi, lo | FILL >> (4 * (n - 16))),
        };
        Some(Identity {
            hi,
            lo: NonZeroU64::new(lo)?,
        })
    }

    /// TBCD as 3GPP TS 29.002 encodes IMSIs and address strings: two digits an octet, the
    /// first in the low nibble, the first `F` ending the string (the filler after an odd
    /// count). The same digits as [`Digits::from_tbcd`] reads; `None` when that reads none,
    /// or more than [`MAX_IDENTITY_DIGITS`].
    #[inline]
    pub(crate) fn from_tbcd(octets: &[u8]) -> Option<Identity> {
        let (a, b) = octets.split_at(octets.len().min(8));
        Identity::ended(tbcd_word(a), tbcd_word(b))
    }

    /// The identity written in `d`; `None` when it is empty or longer than
    /// [`MAX_IDENTITY_DIGITS`].
    pub(crate) fn from_digits(d: &Digits) -> Option<Identity> {
        let n = d.len();
        if n == 0 || n > MAX_IDENTITY_DIGITS {
            return None;
        }
        // Decimal digits, as nearly all are, a word at a time. The bytes past the last digit
        // are zero.
        let words = [0, 8, 16, 24].map(|i| if i < n { d.word(i) } else { 0 });
        // A byte that is neither zero nor a decimal digit (0x30-0x39: bits 5 and 4 set, low
        // nibble below 10).
        let other = |w: u64| (w >> 1 & !w | ((w & (0x0f * ONES)) + 6 * ONES)) & (0x10 * ONES);
        if words.iter().any(|&w| other(w) != 0) {
            return Identity::from_characters(d.as_bytes());
        }
        Identity::from_decimal_words(words, n)
    }

    /// Decimal text (a Diameter User-Name or Subscription-Id); `None` when it is empty,
    /// longer than [`MAX_IDENTITY_DIGITS`], or holds anything but the digits `0`-`9`.
    pub(crate) fn from_decimal(text: &[u8]) -> Option<Identity> {
        const ZEROS: u64 = 0x30 * ONES;
        let n = text.len();
        if n > 16 {
            return Identity::from_digits(&Digits::from_decimal(text)?);
        }
        if n == 0 {
            return None;
        }
        // Two words, the first character on top, padded with `0`s (made filler below).
        let (a, b) = text.split_at(n.min(8));
        let word = |s: &[u8]| {
            (short_word(s) | ZEROS.checked_shl(8 * s.len() as u32).unwrap_or(0)).swap_bytes()
        };
        let (w0, w1) = (word(a), word(b));
        if !(eight_decimal_bytes(w0) && eight_decimal_bytes(w1)) {
            return None;
        }
        Identity::from_decimal_words([w0, w1, 0, 0], n)
    }

    /// `n` (1 to 31) decimal digits as four big-endian words of characters (the first on
    /// top; whatever is past the last is made filler): each byte's low nibble, eight bytes to
    /// 32 bits by shifts and masks.
    #[inline]
    fn from_decimal_words(w: [u64; 4], n: usize) -> Option<Identity> {
        let pack = |w: u64| {
            let x = w & (0x0f * ONES);
            let x = (x | x >> 4) & 0x00ff_00ff_00ff_00ff;
            let x = (x | x >> 8) & 0x0000_ffff_0000_ffff;
            (x | x >> 16) & 0xffff_ffff
        };
        let fill = |shift: usize| FILL.checked_shr(shift as u32).unwrap_or(0);
        let hi = pack(w[0]) << 32 | pack(w[1]) | fill(4 * n);
        let lo = pack(w[2]) << 32 | pack(w[3]) | fill(4 * n.saturating_sub(16));
        Some(Identity {
            hi,
            lo: NonZeroU64::new(lo)?,
        })
    }

    /// [`Identity::from_digits`] a character at a time, for strings with `*`, `#`, `a`-`c`.
    fn from_characters(s: &[u8]) -> Option<Identity> {
        let mut w = [FILL; 2];
        for (i, &c) in s.iter().enumerate() {
            let v = TBCD[..15].iter().position(|&t| t == c)? as u64;
            let shift = 60 - 4 * (i % 16);
            w[i / 16] = w[i / 16] & !(0xf << shift) | v << shift;
        }
        Identity::ended(w[0], w[1])
    }

    /// The identity in text (`0-9 * # a b c`); `None` for anything else, or an empty or too
    /// long string.
    pub fn from_ascii(s: &str) -> Option<Identity> {
        Identity::from_digits(&Digits::from_ascii(s)?)
    }

    /// Number of digits.
    pub(crate) fn len(&self) -> usize {
        // The 32nd nibble is always a filler.
        first_filler(self.hi, self.lo.get()).map_or(MAX_IDENTITY_DIGITS, |n| n as usize)
    }

    /// The digits, as text.
    pub fn digits(&self) -> Digits {
        let mut d = Digits::EMPTY;
        for i in 0..self.len() {
            let w = if i < 16 { self.hi } else { self.lo.get() };
            d.push(TBCD[(w >> (60 - 4 * (i % 16)) & 0xf) as usize]);
        }
        d
    }

    /// A key that tells identities of up to 15 digits apart (every IMSI and E.164 number):
    /// the first word itself, whose lowest nibble is then the filler. `None` when longer.
    #[inline]
    pub fn key(&self) -> Option<u64> {
        (self.hi & 0xf == 0xf).then_some(self.hi)
    }

    /// The first six digits, packed (the rest filler): what names an IMSI's network.
    #[inline]
    pub fn head6(&self) -> u64 {
        self.hi | FILL >> 24
    }
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Identity({:?})", self.digits().as_str())
    }
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.digits().as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;
    use proptest::prelude::*;

    /// The packed words the obvious way: a nibble a character, first highest, `F` after.
    fn packed_by_character(s: &str) -> (u64, u64) {
        let nib = |c: u8| TBCD.iter().position(|&t| t == c).unwrap() as u64;
        let nibbles: Vec<u64> = s
            .bytes()
            .map(nib)
            .chain(core::iter::repeat(0xf))
            .take(32)
            .collect();
        let word = |n: &[u64]| n.iter().fold(0, |k, &d| k << 4 | d);
        (word(&nibbles[..16]), word(&nibbles[16..]))
    }

    proptest! {
        /// Read from TBCD, an identity holds the digits `Digits::from_tbcd` reads, whenever
        /// it reads 1 to 31 of them, and is `None` otherwise.
        #[test]
        fn reads_tbcd_as_digits_does(octets in proptest::collection::vec(any::<u8>(), 0..20)) {
            let d = Digits::from_tbcd(&octets);
            let want = (1..=MAX_IDENTITY_DIGITS).contains(&d.len()).then_some(d);
            let id = Identity::from_tbcd(&octets);
            prop_assert_eq!(id.map(|i| i.digits()), want);
            prop_assert_eq!(id.map(|i| i.len()), want.map(|d| d.len()));
        }

        /// The same, for strings that end in a filler, as nearly all do.
        #[test]
        fn reads_ended_tbcd_as_digits_does(s in "[0-9]{1,31}|[0-9*#a-c]{1,31}") {
            let mut octets = Vec::new();
            crate::digits::encode_tbcd(&s, &mut octets);
            octets.push(0xff);
            let id = Identity::from_tbcd(&octets).unwrap();
            prop_assert_eq!(id.to_string(), s.clone());
            prop_assert_eq!(id, Identity::from_ascii(&s).unwrap());
        }

        /// From text, the packed words are a nibble a character; the key is the first word
        /// when the filler follows within it.
        #[test]
        fn packs_a_nibble_a_character(s in "[0-9]{1,31}|[0-9*#a-c]{1,31}") {
            let id = Identity::from_ascii(&s).unwrap();
            let (hi, lo) = packed_by_character(&s);
            prop_assert_eq!((id.hi, id.lo.get()), (hi, lo));
            prop_assert_eq!(id.key(), (s.len() <= 15).then_some(hi));
            prop_assert_eq!(id.to_string(), s);
        }

        /// Decimal text reads as `Digits::from_decimal` reads it, whatever bytes it holds
        /// (a NUL is no digit, though a `Digits` holds zeros past its end).
        #[test]
        fn reads_decimal_text_as_digits_does(
            text in proptest::collection::vec(prop_oneof![b'0'..=b'9', any::<u8>()], 0..40)
        ) {
            let want = Digits::from_decimal(&text).filter(|d| d.len() <= MAX_IDENTITY_DIGITS);
            prop_assert_eq!(Identity::from_decimal(&text).map(|i| i.digits()), want);
        }

        /// Different identities, different keys (leading zeros and lengths included).
        #[test]
        fn keys_tell_numbers_apart(a in "[0-9]{1,15}", b in "[0-9]{1,15}") {
            let key = |s: &str| Identity::from_ascii(s).unwrap().key();
            prop_assert_eq!(key(&a) == key(&b), a == b);
        }
    }

    /// A prefix's digits only: the bytes a [`Digits::prefix`] cut off are gone.
    #[test]
    fn reads_a_prefix_alone() {
        let d = Digits::from_ascii("310150123456789").unwrap();
        for k in 1..=15 {
            let id = Identity::from_digits(&d.prefix(k));
            assert_eq!(id, Identity::from_ascii(&d.as_str()[..k]), "{k} digits");
        }
        let d = Digits::from_ascii("12#").unwrap();
        assert_eq!(
            Identity::from_digits(&d.prefix(2)),
            Identity::from_ascii("12")
        );
        assert_eq!(Identity::from_digits(&Digits::EMPTY), None);
        // A global title's F digit (`?`) is none of an identity's.
        assert_eq!(
            Identity::from_digits(&Digits::from_bcd(&hex!("21 f3"), false)),
            None
        );
    }

    #[test]
    fn edges() {
        assert_eq!(Identity::from_tbcd(&[]), None);
        assert_eq!(Identity::from_tbcd(&hex!("1f")), None);
        assert_eq!(Identity::from_ascii(""), None);
        assert_eq!(Identity::from_ascii("12x"), None);
        // 32 digits leave no room for the filler; 31 do.
        assert_eq!(Identity::from_tbcd(&[0x11; 16]), None);
        assert_eq!(Identity::from_tbcd(&[0x11; 17]), None);
        let mut octets = [0x11; 16];
        octets[15] = 0xf1;
        assert_eq!(Identity::from_tbcd(&octets).map(|i| i.len()), Some(31));
        assert_eq!(Identity::from_ascii(&"1".repeat(32)), None);
        // An IMSI of eight full octets: sixteen digits, no key.
        let long = Identity::from_tbcd(&hex!("13 00 14 10 32 54 76 98")).unwrap();
        assert_eq!(long.to_string(), "3100410123456789");
        assert_eq!(long.key(), None);
        let imsi = Identity::from_tbcd(&hex!("13 00 14 10 32 54 76 f8")).unwrap();
        assert_eq!(imsi.to_string(), "310041012345678");
        assert_eq!(imsi.key(), Some(0x3100_4101_2345_678f));
        assert_eq!(imsi.head6(), 0x3100_41ff_ffff_ffff);
        assert_eq!(
            Identity::from_ascii("0").unwrap().key(),
            Some(0x0fff_ffff_ffff_ffff)
        );
        // What follows the first filler is not read.
        assert_eq!(
            Identity::from_tbcd(&hex!("21 f3 54")),
            Identity::from_ascii("123")
        );
    }
}
