use core::fmt;

/// A SIGTRAN message class (IANA "SIGTRAN Message Classes", shared by M3UA, SUA, M2UA, IUA).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct MessageClass(pub u8);

impl MessageClass {
    /// Management (ERR, NTFY).
    pub const MGMT: MessageClass = MessageClass(0);
    /// Transfer (M3UA DATA).
    pub const TRANSFER: MessageClass = MessageClass(1);
    /// SS7 signalling network management (DUNA, DAVA, DAUD, SCON, DUPU, DRST).
    pub const SSNM: MessageClass = MessageClass(2);
    /// ASP state maintenance (ASPUP, ASPDN, BEAT and their acknowledgements).
    pub const ASPSM: MessageClass = MessageClass(3);
    /// ASP traffic maintenance (ASPAC, ASPIA and their acknowledgements).
    pub const ASPTM: MessageClass = MessageClass(4);
    /// Q.921/Q.931 boundary primitives (IUA).
    pub const QPTM: MessageClass = MessageClass(5);
    /// MTP2 user adaptation (M2UA).
    pub const MAUP: MessageClass = MessageClass(6);
    /// Connectionless messages (SUA CLDT, CLDR).
    pub const CL: MessageClass = MessageClass(7);
    /// Connection-oriented messages (SUA).
    pub const CO: MessageClass = MessageClass(8);
    /// Routing key management.
    pub const RKM: MessageClass = MessageClass(9);
    /// Interface identifier management (M2UA, IUA).
    pub const IIM: MessageClass = MessageClass(10);

    /// The class's name.
    pub(crate) fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            0 => "MGMT",
            1 => "Transfer",
            2 => "SSNM",
            3 => "ASPSM",
            4 => "ASPTM",
            5 => "QPTM",
            6 => "MAUP",
            7 => "CL",
            8 => "CO",
            9 => "RKM",
            10 => "IIM",
            _ => return None,
        })
    }
}

impl fmt::Debug for MessageClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "MessageClass({})", self.0),
        }
    }
}

/// A message type within its class.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct MessageType(pub u8);

impl MessageType {
    /// Transfer DATA (class 1).
    pub const DATA: MessageType = MessageType(1);
    /// SUA connectionless data transfer (class 7).
    pub const CLDT: MessageType = MessageType(1);
    /// SUA connectionless data response (class 7).
    pub const CLDR: MessageType = MessageType(2);
}

/// The name of a class/type pair, as Wireshark's M3UA dissector shows it (`ASPUP`, `DATA`).
pub fn message_name(class: MessageClass, kind: MessageType) -> Option<&'static str> {
    Some(match (class.0, kind.0) {
        (0, 0) => "ERR",
        (0, 1) => "NTFY",
        (1, 1) => "DATA",
        (2, 1) => "DUNA",
        (2, 2) => "DAVA",
        (2, 3) => "DAUD",
        (2, 4) => "SCON",
        (2, 5) => "DUPU",
        (2, 6) => "DRST",
        (3, 1) => "ASPUP",
        (3, 2) => "ASPDN",
        (3, 3) => "BEAT",
        (3, 4) => "ASPUP_ACK",
        (3, 5) => "ASPDN_ACK",
        (3, 6) => "BEAT_ACK",
        (4, 1) => "ASPAC",
        (4, 2) => "ASPIA",
        (4, 3) => "ASPAC_ACK",
        (4, 4) => "ASPIA_ACK",
        (7, 1) => "CLDT",
        (7, 2) => "CLDR",
        (9, 1) => "REG_REQ",
        (9, 2) => "REG_RSP",
        (9, 3) => "DEREG_REQ",
        (9, 4) => "DEREG_RSP",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            message_name(MessageClass::ASPSM, MessageType(3)),
            Some("BEAT")
        );
        assert_eq!(message_name(MessageClass(42), MessageType(1)), None);
        assert_eq!(format!("{:?}", MessageClass(3)), "ASPSM");
        assert_eq!(format!("{:?}", MessageClass(77)), "MessageClass(77)");
    }
}
