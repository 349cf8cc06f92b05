use core::fmt;

/// A Diameter command code (IANA "Command Codes"; 3GPP TS 29.230 §7.2 for the 3GPP ones).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CommandCode(pub u32);

#[allow(missing_docs)]
impl CommandCode {
    pub const CAPABILITIES_EXCHANGE: CommandCode = CommandCode(257);
    pub const RE_AUTH: CommandCode = CommandCode(258);
    pub const AA: CommandCode = CommandCode(265);
    pub const DIAMETER_EAP: CommandCode = CommandCode(268);
    pub const ACCOUNTING: CommandCode = CommandCode(271);
    pub const CREDIT_CONTROL: CommandCode = CommandCode(272);
    pub const ABORT_SESSION: CommandCode = CommandCode(274);
    pub const SESSION_TERMINATION: CommandCode = CommandCode(275);
    pub const DEVICE_WATCHDOG: CommandCode = CommandCode(280);
    pub const DISCONNECT_PEER: CommandCode = CommandCode(282);
    pub const USER_AUTHORIZATION: CommandCode = CommandCode(300);
    pub const SERVER_ASSIGNMENT: CommandCode = CommandCode(301);
    pub const LOCATION_INFO: CommandCode = CommandCode(302);
    pub const MULTIMEDIA_AUTH: CommandCode = CommandCode(303);
    pub const REGISTRATION_TERMINATION: CommandCode = CommandCode(304);
    pub const PUSH_PROFILE: CommandCode = CommandCode(305);
    pub const USER_DATA: CommandCode = CommandCode(306);
    pub const PROFILE_UPDATE: CommandCode = CommandCode(307);
    pub const SUBSCRIBE_NOTIFICATIONS: CommandCode = CommandCode(308);
    pub const PUSH_NOTIFICATION: CommandCode = CommandCode(309);
    pub const UPDATE_LOCATION: CommandCode = CommandCode(316);
    pub const CANCEL_LOCATION: CommandCode = CommandCode(317);
    pub const AUTHENTICATION_INFORMATION: CommandCode = CommandCode(318);
    pub const INSERT_SUBSCRIBER_DATA: CommandCode = CommandCode(319);
    pub const DELETE_SUBSCRIBER_DATA: CommandCode = CommandCode(320);
    pub const PURGE_UE: CommandCode = CommandCode(321);
    pub const RESET: CommandCode = CommandCode(322);
    pub const NOTIFY: CommandCode = CommandCode(323);
    pub const ME_IDENTITY_CHECK: CommandCode = CommandCode(324);
    pub const PROVIDE_LOCATION: CommandCode = CommandCode(8_388_620);
    pub const LOCATION_REPORT: CommandCode = CommandCode(8_388_621);
    pub const LCS_ROUTING_INFO: CommandCode = CommandCode(8_388_622);

    /// The usual abbreviation of the request (`ULR`) or answer (`ULA`).
    pub fn abbreviation(self, request: bool) -> Option<&'static str> {
        let (r, a) = match self.0 {
            257 => ("CER", "CEA"),
            258 => ("RAR", "RAA"),
            265 => ("AAR", "AAA"),
            268 => ("DER", "DEA"),
            271 => ("ACR", "ACA"),
            272 => ("CCR", "CCA"),
            274 => ("ASR", "ASA"),
            275 => ("STR", "STA"),
            280 => ("DWR", "DWA"),
            282 => ("DPR", "DPA"),
            300 => ("UAR", "UAA"),
            301 => ("SAR", "SAA"),
            302 => ("LIR", "LIA"),
            303 => ("MAR", "MAA"),
            304 => ("RTR", "RTA"),
            305 => ("PPR", "PPA"),
            306 => ("UDR", "UDA"),
            307 => ("PUR", "PUA"),
            308 => ("SNR", "SNA"),
            309 => ("PNR", "PNA"),
            316 => ("ULR", "ULA"),
            317 => ("CLR", "CLA"),
            318 => ("AIR", "AIA"),
            319 => ("IDR", "IDA"),
            320 => ("DSR", "DSA"),
            321 => ("PUR", "PUA"),
            322 => ("RSR", "RSA"),
            323 => ("NOR", "NOA"),
            324 => ("ECR", "ECA"),
            8_388_620 => ("PLR", "PLA"),
            8_388_621 => ("LRR", "LRA"),
            8_388_622 => ("RIR", "RIA"),
            _ => return None,
        };
        Some(if request { r } else { a })
    }
}

impl fmt::Debug for CommandCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.abbreviation(true) {
            Some(n) => write!(f, "{}({})", &n[..2], self.0),
            None => write!(f, "CommandCode({})", self.0),
        }
    }
}

/// A Diameter application identifier (IANA "Application IDs").
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ApplicationId(pub u32);

#[allow(missing_docs)]
impl ApplicationId {
    pub const COMMON: ApplicationId = ApplicationId(0);
    pub const NASREQ: ApplicationId = ApplicationId(1);
    pub const BASE_ACCOUNTING: ApplicationId = ApplicationId(3);
    pub const CREDIT_CONTROL: ApplicationId = ApplicationId(4);
    pub const EAP: ApplicationId = ApplicationId(5);
    pub const CX: ApplicationId = ApplicationId(16_777_216);
    pub const SH: ApplicationId = ApplicationId(16_777_217);
    pub const RX: ApplicationId = ApplicationId(16_777_236);
    pub const GX: ApplicationId = ApplicationId(16_777_238);
    pub const S6A: ApplicationId = ApplicationId(16_777_251);
    pub const S13: ApplicationId = ApplicationId(16_777_252);
    pub const SLG: ApplicationId = ApplicationId(16_777_255);
    pub const SWM: ApplicationId = ApplicationId(16_777_264);
    pub const SWX: ApplicationId = ApplicationId(16_777_265);
    pub const GXX: ApplicationId = ApplicationId(16_777_266);
    pub const S9: ApplicationId = ApplicationId(16_777_267);
    pub const S6B: ApplicationId = ApplicationId(16_777_272);
    pub const SLH: ApplicationId = ApplicationId(16_777_291);
    pub const SY: ApplicationId = ApplicationId(16_777_302);
    pub const S6T: ApplicationId = ApplicationId(16_777_345);
    pub const T6A: ApplicationId = ApplicationId(16_777_346);
    pub const RELAY: ApplicationId = ApplicationId(0xffff_ffff);

    /// The interface name (`S6a/S6d`, `Gy/Ro`).
    pub fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            0 => "Diameter Common Messages",
            1 => "NASREQ",
            3 => "Base Accounting",
            4 => "Gy/Ro (Credit Control)",
            5 => "EAP",
            16_777_216 => "Cx/Dx",
            16_777_217 => "Sh/Dh",
            16_777_236 => "Rx",
            16_777_238 => "Gx",
            16_777_251 => "S6a/S6d",
            16_777_252 => "S13/S13'",
            16_777_255 => "SLg",
            16_777_264 => "SWm",
            16_777_265 => "SWx",
            16_777_266 => "Gxx",
            16_777_267 => "S9",
            16_777_272 => "S6b",
            16_777_291 => "SLh",
            16_777_302 => "Sy",
            16_777_345 => "S6t",
            16_777_346 => "T6a/T6b",
            0xffff_ffff => "Relay",
            _ => return None,
        })
    }

    /// The applications a command belongs to, when 3GPP ties it to some (for the
    /// "application id does not match the command" check). `None`: any application.
    pub fn for_command(cmd: CommandCode) -> Option<&'static [ApplicationId]> {
        Some(match cmd.0 {
            300..=305 => &[ApplicationId::CX, ApplicationId::SWX],
            306..=309 => &[ApplicationId::SH],
            316..=323 => &[ApplicationId::S6A],
            324 => &[ApplicationId::S13],
            8_388_620 | 8_388_621 => &[ApplicationId::SLG],
            8_388_622 => &[ApplicationId::SLH],
            257 | 280 | 282 => &[ApplicationId::COMMON],
            _ => return None,
        })
    }
}

impl fmt::Debug for ApplicationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => write!(f, "{n}({})", self.0),
            None => write!(f, "ApplicationId({})", self.0),
        }
    }
}

/// The 3GPP vendor identifier.
pub const VENDOR_3GPP: u32 = 10415;

/// AVP codes read by this decoder (RFC 6733 §4.5; 3GPP TS 29.272, 29.329, 29.173, 32.299).
#[allow(missing_docs)]
pub mod avp {
    pub const USER_NAME: u32 = 1;
    pub const AUTH_APPLICATION_ID: u32 = 258;
    pub const ACCT_APPLICATION_ID: u32 = 259;
    pub const VENDOR_SPECIFIC_APPLICATION_ID: u32 = 260;
    pub const SESSION_ID: u32 = 263;
    pub const ORIGIN_HOST: u32 = 264;
    pub const VENDOR_ID: u32 = 266;
    pub const RESULT_CODE: u32 = 268;
    pub const DESTINATION_REALM: u32 = 283;
    pub const DESTINATION_HOST: u32 = 293;
    pub const ORIGIN_REALM: u32 = 296;
    pub const EXPERIMENTAL_RESULT: u32 = 297;
    pub const EXPERIMENTAL_RESULT_CODE: u32 = 298;
    pub const SUBSCRIPTION_ID: u32 = 443;
    pub const SUBSCRIPTION_ID_DATA: u32 = 444;
    pub const SUBSCRIPTION_ID_TYPE: u32 = 450;
    /// 3GPP: Public-Identity (29.329).
    pub const PUBLIC_IDENTITY: u32 = 601;
    /// 3GPP: User-Identity (29.329), grouped.
    pub const USER_IDENTITY: u32 = 700;
    /// 3GPP: MSISDN (29.329), TBCD.
    pub const MSISDN: u32 = 701;
    /// 3GPP: Visited-PLMN-Id (29.272), 3 octets.
    pub const VISITED_PLMN_ID: u32 = 1407;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(CommandCode(316).abbreviation(true), Some("ULR"));
        assert_eq!(CommandCode(316).abbreviation(false), Some("ULA"));
        assert_eq!(
            CommandCode::LCS_ROUTING_INFO.abbreviation(true),
            Some("RIR")
        );
        assert_eq!(CommandCode(999).abbreviation(true), None);
        assert_eq!(ApplicationId::S6A.name(), Some("S6a/S6d"));
        assert_eq!(
            ApplicationId::for_command(CommandCode(318)),
            Some(&[ApplicationId::S6A][..])
        );
    }
}
