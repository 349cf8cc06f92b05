use core::fmt;

/// A MAP local operation code (3GPP TS 29.002 §17.5, `MAP-OperationAndErrorCodes`).
/// Unknown codes are values like any other: they still decode and are reported.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OpCode(pub u8);

#[allow(missing_docs)]
impl OpCode {
    pub const UPDATE_LOCATION: OpCode = OpCode(2);
    pub const CANCEL_LOCATION: OpCode = OpCode(3);
    pub const PROVIDE_ROAMING_NUMBER: OpCode = OpCode(4);
    pub const NOTE_SUBSCRIBER_DATA_MODIFIED: OpCode = OpCode(5);
    pub const INSERT_SUBSCRIBER_DATA: OpCode = OpCode(7);
    pub const DELETE_SUBSCRIBER_DATA: OpCode = OpCode(8);
    pub const SEND_PARAMETERS: OpCode = OpCode(9);
    pub const AUTHENTICATION_FAILURE_REPORT: OpCode = OpCode(15);
    pub const PROCESS_UNSTRUCTURED_SS_DATA: OpCode = OpCode(19);
    pub const SEND_ROUTING_INFO: OpCode = OpCode(22);
    pub const UPDATE_GPRS_LOCATION: OpCode = OpCode(23);
    pub const SEND_ROUTING_INFO_FOR_GPRS: OpCode = OpCode(24);
    pub const FAILURE_REPORT: OpCode = OpCode(25);
    pub const NOTE_MS_PRESENT_FOR_GPRS: OpCode = OpCode(26);
    pub const RESET: OpCode = OpCode(37);
    pub const CHECK_IMEI: OpCode = OpCode(43);
    pub const MT_FORWARD_SM: OpCode = OpCode(44);
    pub const SEND_ROUTING_INFO_FOR_SM: OpCode = OpCode(45);
    pub const MO_FORWARD_SM: OpCode = OpCode(46);
    pub const REPORT_SM_DELIVERY_STATUS: OpCode = OpCode(47);
    pub const ALERT_SERVICE_CENTRE_WITHOUT_RESULT: OpCode = OpCode(49);
    pub const ACTIVATE_TRACE_MODE: OpCode = OpCode(50);
    pub const DEACTIVATE_TRACE_MODE: OpCode = OpCode(51);
    pub const SEND_IDENTIFICATION: OpCode = OpCode(55);
    pub const SEND_AUTHENTICATION_INFO: OpCode = OpCode(56);
    pub const RESTORE_DATA: OpCode = OpCode(57);
    pub const SEND_IMSI: OpCode = OpCode(58);
    pub const PROCESS_UNSTRUCTURED_SS_REQUEST: OpCode = OpCode(59);
    pub const UNSTRUCTURED_SS_REQUEST: OpCode = OpCode(60);
    pub const UNSTRUCTURED_SS_NOTIFY: OpCode = OpCode(61);
    pub const ANY_TIME_SUBSCRIPTION_INTERROGATION: OpCode = OpCode(62);
    pub const INFORM_SERVICE_CENTRE: OpCode = OpCode(63);
    pub const ALERT_SERVICE_CENTRE: OpCode = OpCode(64);
    pub const ANY_TIME_MODIFICATION: OpCode = OpCode(65);
    pub const READY_FOR_SM: OpCode = OpCode(66);
    pub const PURGE_MS: OpCode = OpCode(67);
    pub const PROVIDE_SUBSCRIBER_INFO: OpCode = OpCode(70);
    pub const ANY_TIME_INTERROGATION: OpCode = OpCode(71);
    pub const SS_INVOCATION_NOTIFICATION: OpCode = OpCode(72);
    pub const PROVIDE_SUBSCRIBER_LOCATION: OpCode = OpCode(83);
    pub const SEND_ROUTING_INFO_FOR_LCS: OpCode = OpCode(85);
    pub const SUBSCRIBER_LOCATION_REPORT: OpCode = OpCode(86);
    pub const NOTE_MM_EVENT: OpCode = OpCode(89);
}

/// Names of the operation codes, indexed by code; `None` where 29.002 allocates none.
/// Spelled as Wireshark's `gsm_old.localValue` shows them (the `MAP-OperationAndErrorCodes`
/// spelling; a test checks every entry against `tshark -G values`).
const OP_NAMES: [Option<&str>; 127] = {
    let mut t: [Option<&str>; 127] = [None; 127];
    t[2] = Some("updateLocation");
    t[3] = Some("cancelLocation");
    t[4] = Some("provideRoamingNumber");
    t[5] = Some("noteSubscriberDataModified");
    t[6] = Some("resumeCallHandling");
    t[7] = Some("insertSubscriberData");
    t[8] = Some("deleteSubscriberData");
    t[9] = Some("sendParameters");
    t[10] = Some("registerSS");
    t[11] = Some("eraseSS");
    t[12] = Some("activateSS");
    t[13] = Some("deactivateSS");
    t[14] = Some("interrogateSS");
    t[15] = Some("authenticationFailureReport");
    t[16] = Some("notifySS");
    t[17] = Some("registerPassword");
    t[18] = Some("getPassword");
    t[19] = Some("processUnstructuredSS-Data");
    t[20] = Some("releaseResources");
    t[21] = Some("mt-ForwardSM-VGCS");
    t[22] = Some("sendRoutingInfo");
    t[23] = Some("updateGprsLocation");
    t[24] = Some("sendRoutingInfoForGprs");
    t[25] = Some("failureReport");
    t[26] = Some("noteMsPresentForGprs");
    t[28] = Some("performHandover");
    t[29] = Some("sendEndSignal");
    t[30] = Some("performSubsequentHandover");
    t[31] = Some("provideSIWFSNumber");
    t[32] = Some("sIWFSSignallingModify");
    t[33] = Some("processAccessSignalling");
    t[34] = Some("forwardAccessSignalling");
    t[35] = Some("noteInternalHandover");
    t[36] = Some("cancelVcsgLocation");
    t[37] = Some("reset");
    t[38] = Some("forwardCheckSS");
    t[39] = Some("prepareGroupCall");
    t[40] = Some("sendGroupCallEndSignal");
    t[41] = Some("processGroupCallSignalling");
    t[42] = Some("forwardGroupCallSignalling");
    t[43] = Some("checkIMEI");
    t[44] = Some("mt-forwardSM");
    t[45] = Some("sendRoutingInfoForSM");
    t[46] = Some("mo-forwardSM");
    t[47] = Some("reportSM-DeliveryStatus");
    t[48] = Some("noteSubscriberPresent");
    t[49] = Some("alertServiceCentreWithoutResult");
    t[50] = Some("activateTraceMode");
    t[51] = Some("deactivateTraceMode");
    t[52] = Some("traceSubscriberActivity");
    t[53] = Some("updateVcsgLocation");
    t[54] = Some("beginSubscriberActivity");
    t[55] = Some("sendIdentification");
    t[56] = Some("sendAuthenticationInfo");
    t[57] = Some("restoreData");
    t[58] = Some("sendIMSI");
    t[59] = Some("processUnstructuredSS-Request");
    t[60] = Some("unstructuredSS-Request");
    t[61] = Some("unstructuredSS-Notify");
    t[62] = Some("anyTimeSubscriptionInterrogation");
    t[63] = Some("informServiceCentre");
    t[64] = Some("alertServiceCentre");
    t[65] = Some("anyTimeModification");
    t[66] = Some("readyForSM");
    t[67] = Some("purgeMS");
    t[68] = Some("prepareHandover");
    t[69] = Some("prepareSubsequentHandover");
    t[70] = Some("provideSubscriberInfo");
    t[71] = Some("anyTimeInterrogation");
    t[72] = Some("ss-InvocationNotification");
    t[73] = Some("setReportingState");
    t[74] = Some("statusReport");
    t[75] = Some("remoteUserFree");
    t[76] = Some("registerCC-Entry");
    t[77] = Some("eraseCC-Entry");
    t[78] = Some("secureTransportClass1");
    t[79] = Some("secureTransportClass2");
    t[80] = Some("secureTransportClass3");
    t[81] = Some("secureTransportClass4");
    t[83] = Some("provideSubscriberLocation");
    t[84] = Some("sendGroupCallInfo");
    t[85] = Some("sendRoutingInfoForLCS");
    t[86] = Some("subscriberLocationReport");
    t[87] = Some("ist-Alert");
    t[88] = Some("ist-Command");
    t[89] = Some("noteMM-Event");
    t[109] = Some("lcs-PeriodicLocationCancellation");
    t[110] = Some("lcs-LocationUpdate");
    t[111] = Some("lcs-PeriodicLocationRequest");
    t[112] = Some("lcs-AreaEventCancellation");
    t[113] = Some("lcs-AreaEventReport");
    t[114] = Some("lcs-AreaEventRequest");
    t[115] = Some("lcs-MOLR");
    t[116] = Some("lcs-LocationNotification");
    t[117] = Some("callDeflection");
    t[118] = Some("userUserService");
    t[119] = Some("accessRegisterCCEntry");
    t[120] = Some("forwardCUG-Info");
    t[121] = Some("splitMPTY");
    t[122] = Some("retrieveMPTY");
    t[123] = Some("holdMPTY");
    t[124] = Some("buildMPTY");
    t[125] = Some("forwardChargeAdvice");
    t[126] = Some("explicitCT");
    t
};

impl OpCode {
    /// The operation's name, if 29.002 allocates the code.
    pub fn name(self) -> Option<&'static str> {
        OP_NAMES.get(usize::from(self.0)).copied().flatten()
    }

    /// Every allocated code.
    pub fn all() -> impl Iterator<Item = OpCode> {
        (0..=u8::MAX).map(OpCode).filter(|o| o.name().is_some())
    }
}

impl fmt::Debug for OpCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => write!(f, "{n}({})", self.0),
            None => write!(f, "OpCode({})", self.0),
        }
    }
}

/// A MAP local error code (3GPP TS 29.002 §17.5).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct ErrorCode(pub u8);

impl ErrorCode {
    /// The error's name, if 29.002 allocates the code.
    #[cfg(test)]
    pub(crate) fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            1 => "unknownSubscriber",
            2 => "unknownBaseStation",
            3 => "unknownMSC",
            4 => "secureTransportError",
            5 => "unidentifiedSubscriber",
            6 => "absentSubscriberSM",
            7 => "unknownEquipment",
            8 => "roamingNotAllowed",
            9 => "illegalSubscriber",
            10 => "bearerServiceNotProvisioned",
            11 => "teleserviceNotProvisioned",
            12 => "illegalEquipment",
            13 => "callBarred",
            14 => "forwardingViolation",
            15 => "cug-Reject",
            16 => "illegalSS-Operation",
            17 => "ss-ErrorStatus",
            18 => "ss-NotAvailable",
            19 => "ss-SubscriptionViolation",
            20 => "ss-Incompatibility",
            21 => "facilityNotSupported",
            22 => "ongoingGroupCall",
            23 => "invalidTargetBaseStation",
            24 => "noRadioResourceAvailable",
            25 => "noHandoverNumberAvailable",
            26 => "subsequentHandoverFailure",
            27 => "absentSubscriber",
            28 => "incompatibleTerminal",
            29 => "shortTermDenial",
            30 => "longTermDenial",
            31 => "subscriberBusyForMT-SMS",
            32 => "sm-DeliveryFailure",
            33 => "messageWaitingListFull",
            34 => "systemFailure",
            35 => "dataMissing",
            36 => "unexpectedDataValue",
            37 => "pw-RegistrationFailure",
            38 => "negativePW-Check",
            39 => "noRoamingNumberAvailable",
            40 => "tracingBufferFull",
            42 => "targetCellOutsideGroupCallArea",
            43 => "numberOfPW-AttemptsViolation",
            44 => "numberChanged",
            45 => "busySubscriber",
            46 => "noSubscriberReply",
            47 => "forwardingFailed",
            48 => "or-NotAllowed",
            49 => "ati-NotAllowed",
            50 => "noGroupCallNumberAvailable",
            51 => "resourceLimitation",
            52 => "unauthorizedRequestingNetwork",
            53 => "unauthorizedLCSClient",
            54 => "positionMethodFailure",
            58 => "unknownOrUnreachableLCSClient",
            59 => "mm-EventNotSupported",
            60 => "atsi-NotAllowed",
            61 => "atm-NotAllowed",
            62 => "informationNotAvailable",
            71 => "unknownAlphabet",
            72 => "ussd-Busy",
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            OpCode::ANY_TIME_INTERROGATION.name(),
            Some("anyTimeInterrogation")
        );
        assert_eq!(OpCode::MT_FORWARD_SM.name(), Some("mt-forwardSM"));
        assert_eq!(OpCode(27).name(), None);
        assert_eq!(OpCode(200).name(), None);
        assert_eq!(OpCode::all().count(), 104);
        assert_eq!(ErrorCode(34).name(), Some("systemFailure"));
    }
}
