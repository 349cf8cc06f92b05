use super::{flags, ApplicationId, CommandCode, VENDOR_3GPP};

/// One AVP to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AvpSpec {
    /// AVP code.
    pub(crate) code: u32,
    /// Vendor identifier (sets the V bit).
    pub(crate) vendor: Option<u32>,
    /// Mandatory bit.
    pub(crate) mandatory: bool,
    /// The data (for a grouped AVP: its encoded AVPs).
    pub(crate) data: Vec<u8>,
}

impl AvpSpec {
    /// An IETF AVP holding text (DiameterIdentity, UTF8String).
    pub fn utf8(code: u32, text: &str) -> Self {
        AvpSpec {
            code,
            vendor: None,
            mandatory: true,
            data: text.as_bytes().to_vec(),
        }
    }

    /// A 3GPP AVP holding text.
    pub fn utf8_tgpp(code: u32, text: &str) -> Self {
        AvpSpec {
            code,
            vendor: Some(VENDOR_3GPP),
            mandatory: true,
            data: text.as_bytes().to_vec(),
        }
    }

    /// An IETF Unsigned32 / Enumerated AVP.
    pub fn u32(code: u32, v: u32) -> Self {
        AvpSpec {
            code,
            vendor: None,
            mandatory: true,
            data: v.to_be_bytes().to_vec(),
        }
    }

    /// A 3GPP AVP holding octets.
    pub fn tgpp(code: u32, data: Vec<u8>) -> Self {
        AvpSpec {
            code,
            vendor: Some(VENDOR_3GPP),
            mandatory: true,
            data,
        }
    }

    /// A grouped AVP of `members`.
    pub fn grouped(code: u32, vendor: Option<u32>, members: &[AvpSpec]) -> Self {
        let mut data = Vec::new();
        for m in members {
            m.encode(&mut data);
        }
        AvpSpec {
            code,
            vendor,
            mandatory: true,
            data,
        }
    }

    /// Append the AVP, padded to 4 bytes.
    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        let header = if self.vendor.is_some() { 12 } else { 8 };
        let len = header + self.data.len();
        out.extend_from_slice(&self.code.to_be_bytes());
        let fl = if self.vendor.is_some() {
            flags::AVP_VENDOR
        } else {
            0
        } | if self.mandatory {
            flags::AVP_MANDATORY
        } else {
            0
        };
        out.push(fl);
        out.extend_from_slice(&(len as u32).to_be_bytes()[1..]);
        if let Some(v) = self.vendor {
            out.extend_from_slice(&v.to_be_bytes());
        }
        out.extend_from_slice(&self.data);
        while !out.len().is_multiple_of(4) {
            out.push(0);
        }
    }
}

/// A message to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiameterSpec {
    /// Request (R bit).
    pub request: bool,
    /// Command code.
    pub cmd: CommandCode,
    /// Application identifier.
    pub app: ApplicationId,
    /// Hop-by-hop identifier.
    pub hbh: u32,
    /// End-to-end identifier.
    pub e2e: u32,
    /// The AVPs.
    pub avps: Vec<AvpSpec>,
}

/// Append a Diameter message.
pub fn emit_diameter(out: &mut Vec<u8>, spec: &DiameterSpec) {
    let start = out.len();
    out.extend_from_slice(&[1, 0, 0, 0]);
    let fl = if spec.request {
        flags::REQUEST | flags::PROXIABLE
    } else {
        flags::PROXIABLE
    };
    out.push(fl);
    out.extend_from_slice(&spec.cmd.0.to_be_bytes()[1..]);
    out.extend_from_slice(&spec.app.0.to_be_bytes());
    out.extend_from_slice(&spec.hbh.to_be_bytes());
    out.extend_from_slice(&spec.e2e.to_be_bytes());
    // Encoded apart so that padding is relative to the message start, wherever `out` is.
    let mut avps = Vec::new();
    for a in &spec.avps {
        a.encode(&mut avps);
    }
    out.extend_from_slice(&avps);
    let len = (out.len() - start) as u32;
    out[start + 1..start + 4].copy_from_slice(&len.to_be_bytes()[1..]);
}
