use crate::ber::tlv;
use crate::digits::encode_tbcd;

/// The contents of an ISDN-AddressString: international E.164 (`0x91`), then TBCD digits.
pub fn address_string(digits: &str) -> Vec<u8> {
    let mut v = vec![0x91];
    encode_tbcd(digits, &mut v);
    v
}

/// The contents of an IMSI: TBCD digits.
pub fn imsi_octets(imsi: &str) -> Vec<u8> {
    let mut v = Vec::new();
    encode_tbcd(imsi, &mut v);
    v
}

/// Builders of the MAP parameters (version 3 forms) that tests and the traffic generator send.
#[derive(Debug)]
pub struct MapArg;

impl MapArg {
    /// updateLocation: `{ imsi, msc-Number [1], vlr-Number }`.
    pub fn update_location(imsi: &str, msc: &str, vlr: &str) -> Vec<u8> {
        let mut s = tlv(0x04, &imsi_octets(imsi));
        s.extend(tlv(0x81, &address_string(msc)));
        s.extend(tlv(0x04, &address_string(vlr)));
        tlv(0x30, &s)
    }

    /// updateLocation result: `{ hlr-Number }`.
    pub fn update_location_res(hlr: &str) -> Vec<u8> {
        tlv(0x30, &tlv(0x04, &address_string(hlr)))
    }

    /// updateGprsLocation: `{ imsi, sgsn-Number, sgsn-Address }`.
    pub fn update_gprs_location(imsi: &str, sgsn: &str) -> Vec<u8> {
        let mut s = tlv(0x04, &imsi_octets(imsi));
        s.extend(tlv(0x04, &address_string(sgsn)));
        s.extend(tlv(0x04, &[0x04, 192, 0, 2, 1]));
        tlv(0x30, &s)
    }

    /// sendAuthenticationInfo v3: `{ imsi [0], numberOfRequestedVectors }`.
    pub fn send_authentication_info(imsi: &str) -> Vec<u8> {
        let mut s = tlv(0x80, &imsi_octets(imsi));
        s.extend(tlv(0x02, &[1]));
        tlv(0x30, &s)
    }

    /// insertSubscriberData: `{ imsi [0], msisdn [1] }`.
    pub fn insert_subscriber_data(imsi: &str, msisdn: &str) -> Vec<u8> {
        let mut s = tlv(0x80, &imsi_octets(imsi));
        s.extend(tlv(0x81, &address_string(msisdn)));
        tlv(0x30, &s)
    }

    /// cancelLocation v3: `[3] { identity imsi, cancellationType updateProcedure }`.
    pub fn cancel_location(imsi: &str) -> Vec<u8> {
        let mut s = tlv(0x04, &imsi_octets(imsi));
        s.extend(tlv(0x0a, &[0]));
        tlv(0xa3, &s)
    }

    /// purgeMS v3: `[3] { imsi, vlr-Number [0] }`.
    pub fn purge_ms(imsi: &str, vlr: &str) -> Vec<u8> {
        let mut s = tlv(0x04, &imsi_octets(imsi));
        s.extend(tlv(0x80, &address_string(vlr)));
        tlv(0xa3, &s)
    }

    /// anyTimeInterrogation: `{ subscriberIdentity [0] { msisdn [1] | imsi [0] },
    /// requestedInfo [1] { locationInformation [0], subscriberState [1] }, gsmSCF-Address [3] }`.
    pub fn any_time_interrogation(
        msisdn: Option<&str>,
        imsi: Option<&str>,
        gsmscf: &str,
    ) -> Vec<u8> {
        let id = match (msisdn, imsi) {
            (Some(m), _) => tlv(0x81, &address_string(m)),
            (None, Some(i)) => tlv(0x80, &imsi_octets(i)),
            (None, None) => Vec::new(),
        };
        let mut s = tlv(0xa0, &id);
        let mut req = tlv(0x80, &[]);
        req.extend(tlv(0x81, &[]));
        s.extend(tlv(0xa1, &req));
        s.extend(tlv(0x83, &address_string(gsmscf)));
        tlv(0x30, &s)
    }

    /// anyTimeInterrogation result: `{ subscriberInfo { locationInformation [0] {
    /// ageOfLocationInformation, vlr-number [1] } } }`.
    pub fn any_time_interrogation_res(vlr: &str) -> Vec<u8> {
        MapArg::location_res(vlr, 5)
    }

    /// anyTimeInterrogation or provideSubscriberInfo result whose location is `age_min`
    /// minutes old: `{ subscriberInfo { locationInformation [0] { ageOfLocationInformation,
    /// vlr-number [1] } } }`.
    pub fn location_res(vlr: &str, age_min: u16) -> Vec<u8> {
        let age = age_min.to_be_bytes();
        let mut li = if age[0] == 0 && age[1] < 0x80 {
            tlv(0x02, &age[1..])
        } else {
            tlv(0x02, &age)
        };
        li.extend(tlv(0x81, &address_string(vlr)));
        tlv(0x30, &tlv(0x30, &tlv(0xa0, &li)))
    }

    /// provideSubscriberInfo: `{ imsi [0], requestedInfo [2] { locationInformation [0] } }`.
    pub fn provide_subscriber_info(imsi: &str) -> Vec<u8> {
        let mut s = tlv(0x80, &imsi_octets(imsi));
        s.extend(tlv(0xa2, &tlv(0x80, &[])));
        tlv(0x30, &s)
    }

    /// sendRoutingInfo: `{ msisdn [0], interrogationType [3] basicCall, gmsc-OrGsmSCF-Address [6] }`.
    pub fn send_routing_info(msisdn: &str, gmsc: &str) -> Vec<u8> {
        let mut s = tlv(0x80, &address_string(msisdn));
        s.extend(tlv(0x83, &[0]));
        s.extend(tlv(0x86, &address_string(gmsc)));
        tlv(0x30, &s)
    }

    /// sendRoutingInfo v3 result: `[3] { imsi [9], extendedRoutingInfo: roamingNumber }`.
    pub fn send_routing_info_res(imsi: &str, msrn: &str) -> Vec<u8> {
        let mut s = tlv(0x89, &imsi_octets(imsi));
        s.extend(tlv(0x04, &address_string(msrn)));
        tlv(0xa3, &s)
    }

    /// sendRoutingInfoForSM: `{ msisdn [0], sm-RP-PRI [1] TRUE, serviceCentreAddress [2] }`.
    pub fn send_routing_info_for_sm(msisdn: &str, smsc: &str) -> Vec<u8> {
        let mut s = tlv(0x80, &address_string(msisdn));
        s.extend(tlv(0x81, &[0xff]));
        s.extend(tlv(0x82, &address_string(smsc)));
        tlv(0x30, &s)
    }

    /// sendRoutingInfoForSM result: `{ imsi, locationInfoWithLMSI [0] { networkNode-Number [1] } }`.
    pub fn send_routing_info_for_sm_res(imsi: &str, msc: &str) -> Vec<u8> {
        let mut s = tlv(0x04, &imsi_octets(imsi));
        s.extend(tlv(0xa0, &tlv(0x81, &address_string(msc))));
        tlv(0x30, &s)
    }

    /// mt-forwardSM: `{ sm-RP-DA imsi [0], sm-RP-OA serviceCentreAddressOA [4], sm-RP-UI }`.
    pub fn mt_forward_sm(imsi: &str, smsc: &str, tpdu: &[u8]) -> Vec<u8> {
        let mut s = tlv(0x80, &imsi_octets(imsi));
        s.extend(tlv(0x84, &address_string(smsc)));
        s.extend(tlv(0x04, tpdu));
        tlv(0x30, &s)
    }

    /// mo-forwardSM: `{ sm-RP-DA serviceCentreAddressDA [4], sm-RP-OA msisdn [2], sm-RP-UI }`.
    pub fn mo_forward_sm(smsc: &str, msisdn: &str, tpdu: &[u8]) -> Vec<u8> {
        let mut s = tlv(0x84, &address_string(smsc));
        s.extend(tlv(0x82, &address_string(msisdn)));
        s.extend(tlv(0x04, tpdu));
        tlv(0x30, &s)
    }

    /// mo-forwardSM v3 with the sender's IMSI: `{ sm-RP-DA serviceCentreAddressDA [4],
    /// sm-RP-OA msisdn [2], sm-RP-UI, imsi }`.
    pub fn mo_forward_sm_v3(smsc: &str, msisdn: &str, tpdu: &[u8], imsi: &str) -> Vec<u8> {
        let mut s = tlv(0x84, &address_string(smsc));
        s.extend(tlv(0x82, &address_string(msisdn)));
        s.extend(tlv(0x04, tpdu));
        s.extend(tlv(0x04, &imsi_octets(imsi)));
        tlv(0x30, &s)
    }

    /// sendIMSI: the MSISDN itself.
    pub fn send_imsi(msisdn: &str) -> Vec<u8> {
        tlv(0x04, &address_string(msisdn))
    }

    /// sendIMSI result: the IMSI itself.
    pub fn send_imsi_res(imsi: &str) -> Vec<u8> {
        tlv(0x04, &imsi_octets(imsi))
    }

    /// provideSubscriberLocation: `{ locationType { locationEstimateType [0] currentLocation },
    /// mlc-Number, lcs-ClientID [0] { lcsClientType [0] }, imsi [2] | msisdn [3] }`.
    pub fn provide_subscriber_location(
        msisdn: Option<&str>,
        imsi: Option<&str>,
        mlc: &str,
    ) -> Vec<u8> {
        let mut s = tlv(0x30, &tlv(0x80, &[0]));
        s.extend(tlv(0x04, &address_string(mlc)));
        s.extend(tlv(0xa0, &tlv(0x80, &[0])));
        if let Some(i) = imsi {
            s.extend(tlv(0x82, &imsi_octets(i)));
        }
        if let Some(m) = msisdn {
            s.extend(tlv(0x83, &address_string(m)));
        }
        tlv(0x30, &s)
    }

    /// sendRoutingInfoForLCS: `{ mlcNumber [0], targetMS [1] { msisdn [1] | imsi [0] } }`.
    pub fn send_routing_info_for_lcs(msisdn: &str, mlc: &str) -> Vec<u8> {
        let mut s = tlv(0x80, &address_string(mlc));
        s.extend(tlv(0xa1, &tlv(0x81, &address_string(msisdn))));
        tlv(0x30, &s)
    }

    /// provideRoamingNumber: `{ imsi [0], msc-Number [1], msisdn [2] }`.
    pub fn provide_roaming_number(imsi: &str, msc: &str, msisdn: &str) -> Vec<u8> {
        let mut s = tlv(0x80, &imsi_octets(imsi));
        s.extend(tlv(0x81, &address_string(msc)));
        s.extend(tlv(0x82, &address_string(msisdn)));
        tlv(0x30, &s)
    }

    /// restoreData: `{ imsi }`.
    pub fn restore_data(imsi: &str) -> Vec<u8> {
        tlv(0x30, &tlv(0x04, &imsi_octets(imsi)))
    }

    /// deleteSubscriberData: `{ imsi [0], basicServiceList [1] }`.
    pub fn delete_subscriber_data(imsi: &str) -> Vec<u8> {
        let mut s = tlv(0x80, &imsi_octets(imsi));
        s.extend(tlv(0xa1, &tlv(0x83, &[0x11])));
        tlv(0x30, &s)
    }

    /// sendIdentification v3: `{ tmsi }`.
    pub fn send_identification(tmsi: [u8; 4]) -> Vec<u8> {
        tlv(0x30, &tlv(0x04, &tmsi))
    }

    /// readyForSM: `{ imsi [0], alertReason ms-Present }`.
    pub fn ready_for_sm(imsi: &str) -> Vec<u8> {
        let mut s = tlv(0x80, &imsi_octets(imsi));
        s.extend(tlv(0x0a, &[0]));
        tlv(0x30, &s)
    }

    /// processUnstructuredSS-Request: `{ ussd-DataCodingScheme, ussd-String, msisdn [0] }`.
    pub fn process_unstructured_ss_request(msisdn: &str, ussd: &[u8]) -> Vec<u8> {
        let mut s = tlv(0x04, &[0x0f]);
        s.extend(tlv(0x04, ussd));
        s.extend(tlv(0x80, &address_string(msisdn)));
        tlv(0x30, &s)
    }

    /// alertServiceCentre: `{ msisdn, serviceCentreAddress }`.
    pub fn alert_service_centre(msisdn: &str, smsc: &str) -> Vec<u8> {
        let mut s = tlv(0x04, &address_string(msisdn));
        s.extend(tlv(0x04, &address_string(smsc)));
        tlv(0x30, &s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ber::parse_ber_tlv;
    use crate::map::{parse_map_parameter, NodeRole, OpCode};
    use crate::tcap::ComponentKind;

    fn read(op: OpCode, kind: ComponentKind, p: &[u8]) -> crate::map::MapInfo {
        let (_, t) = parse_ber_tlv(p).unwrap();
        parse_map_parameter(op, kind, Some(&t)).unwrap()
    }

    const IMSI: &str = "310410123456789";
    const MSISDN: &str = "12065550123";

    #[test]
    fn every_builder_reads_back() {
        use ComponentKind::{Invoke, ReturnResultLast};
        let i = read(
            OpCode::UPDATE_LOCATION,
            Invoke,
            &MapArg::update_location(IMSI, "447700900001", "447700900002"),
        );
        assert_eq!(
            (
                i.imsi.unwrap().to_string().as_str(),
                i.node(NodeRole::Vlr).unwrap().number().as_str()
            ),
            (IMSI, "447700900002")
        );
        assert_eq!(
            i.node(NodeRole::Msc).unwrap().number().as_str(),
            "447700900001"
        );
        let i = read(
            OpCode::UPDATE_LOCATION,
            ReturnResultLast,
            &MapArg::update_location_res("12065550001"),
        );
        assert_eq!(
            i.node(NodeRole::Hlr).unwrap().number().as_str(),
            "12065550001"
        );
        let i = read(
            OpCode::UPDATE_GPRS_LOCATION,
            Invoke,
            &MapArg::update_gprs_location(IMSI, "4477009000"),
        );
        assert_eq!(
            i.node(NodeRole::Sgsn).unwrap().number().as_str(),
            "4477009000"
        );
        assert_eq!(
            read(
                OpCode::SEND_AUTHENTICATION_INFO,
                Invoke,
                &MapArg::send_authentication_info(IMSI)
            )
            .imsi
            .unwrap()
            .to_string(),
            IMSI
        );
        let i = read(
            OpCode::INSERT_SUBSCRIBER_DATA,
            Invoke,
            &MapArg::insert_subscriber_data(IMSI, MSISDN),
        );
        assert_eq!(
            (
                i.imsi.unwrap().to_string().as_str(),
                i.msisdn.unwrap().to_string().as_str()
            ),
            (IMSI, MSISDN)
        );
        assert_eq!(
            read(
                OpCode::CANCEL_LOCATION,
                Invoke,
                &MapArg::cancel_location(IMSI)
            )
            .imsi
            .unwrap()
            .to_string(),
            IMSI
        );
        let i = read(
            OpCode::PURGE_MS,
            Invoke,
            &MapArg::purge_ms(IMSI, "12065551"),
        );
        assert_eq!(i.node(NodeRole::Vlr).unwrap().number().as_str(), "12065551");
        let i = read(
            OpCode::ANY_TIME_INTERROGATION,
            Invoke,
            &MapArg::any_time_interrogation(Some(MSISDN), None, "8613010000"),
        );
        assert_eq!(
            (
                i.msisdn.unwrap().to_string().as_str(),
                i.node(NodeRole::GsmScf).unwrap().number().as_str()
            ),
            (MSISDN, "8613010000")
        );
        let i = read(
            OpCode::ANY_TIME_INTERROGATION,
            ReturnResultLast,
            &MapArg::any_time_interrogation_res("12065552"),
        );
        assert_eq!(i.node(NodeRole::Vlr).unwrap().number().as_str(), "12065552");
        assert_eq!(i.age_of_location_min, Some(5));
        for age in [0, 127, 128, 600, 32_767] {
            let i = read(
                OpCode::PROVIDE_SUBSCRIBER_INFO,
                ReturnResultLast,
                &MapArg::location_res("12065552", age),
            );
            assert_eq!(i.age_of_location_min, Some(age));
            assert_eq!(i.node(NodeRole::Vlr).unwrap().number().as_str(), "12065552");
        }
        let i = read(
            OpCode::MO_FORWARD_SM,
            Invoke,
            &MapArg::mo_forward_sm_v3("4477", MSISDN, b"x", IMSI),
        );
        assert_eq!(i.imsi.unwrap().to_string(), IMSI);
        assert_eq!(i.msisdn.unwrap().to_string(), MSISDN);
        assert_eq!(
            read(
                OpCode::PROVIDE_SUBSCRIBER_INFO,
                Invoke,
                &MapArg::provide_subscriber_info(IMSI)
            )
            .imsi
            .unwrap()
            .to_string(),
            IMSI
        );
        assert_eq!(
            read(
                OpCode::SEND_ROUTING_INFO,
                Invoke,
                &MapArg::send_routing_info(MSISDN, "1")
            )
            .msisdn
            .unwrap()
            .to_string(),
            MSISDN
        );
        let i = read(
            OpCode::SEND_ROUTING_INFO,
            ReturnResultLast,
            &MapArg::send_routing_info_res(IMSI, "447700900099"),
        );
        assert_eq!(
            (
                i.imsi.unwrap().to_string().as_str(),
                i.node(NodeRole::RoamingNumber).unwrap().number().as_str()
            ),
            (IMSI, "447700900099")
        );
        assert_eq!(
            read(
                OpCode::SEND_ROUTING_INFO_FOR_SM,
                Invoke,
                &MapArg::send_routing_info_for_sm(MSISDN, "1")
            )
            .msisdn
            .unwrap()
            .to_string(),
            MSISDN
        );
        let i = read(
            OpCode::SEND_ROUTING_INFO_FOR_SM,
            ReturnResultLast,
            &MapArg::send_routing_info_for_sm_res(IMSI, "447700900003"),
        );
        assert_eq!(
            (
                i.imsi.unwrap().to_string().as_str(),
                i.node(NodeRole::NetworkNode).unwrap().number().as_str()
            ),
            (IMSI, "447700900003")
        );
        assert_eq!(
            read(
                OpCode::MT_FORWARD_SM,
                Invoke,
                &MapArg::mt_forward_sm(IMSI, "4477", b"x")
            )
            .imsi
            .unwrap()
            .to_string(),
            IMSI
        );
        assert_eq!(
            read(
                OpCode::MO_FORWARD_SM,
                Invoke,
                &MapArg::mo_forward_sm("4477", MSISDN, b"x")
            )
            .msisdn
            .unwrap()
            .to_string(),
            MSISDN
        );
        assert_eq!(
            read(OpCode::SEND_IMSI, Invoke, &MapArg::send_imsi(MSISDN))
                .msisdn
                .unwrap()
                .to_string(),
            MSISDN
        );
        assert_eq!(
            read(
                OpCode::SEND_IMSI,
                ReturnResultLast,
                &MapArg::send_imsi_res(IMSI)
            )
            .imsi
            .unwrap()
            .to_string(),
            IMSI
        );
        let i = read(
            OpCode::PROVIDE_SUBSCRIBER_LOCATION,
            Invoke,
            &MapArg::provide_subscriber_location(Some(MSISDN), Some(IMSI), "79"),
        );
        assert_eq!(
            (
                i.imsi.unwrap().to_string().as_str(),
                i.msisdn.unwrap().to_string().as_str()
            ),
            (IMSI, MSISDN)
        );
        let i = read(
            OpCode::SEND_ROUTING_INFO_FOR_LCS,
            Invoke,
            &MapArg::send_routing_info_for_lcs(MSISDN, "79"),
        );
        assert_eq!(
            (
                i.msisdn.unwrap().to_string().as_str(),
                i.node(NodeRole::Mlc).unwrap().number().as_str()
            ),
            (MSISDN, "79")
        );
        let i = read(
            OpCode::PROVIDE_ROAMING_NUMBER,
            Invoke,
            &MapArg::provide_roaming_number(IMSI, "44", MSISDN),
        );
        assert_eq!(
            (
                i.imsi.unwrap().to_string().as_str(),
                i.msisdn.unwrap().to_string().as_str()
            ),
            (IMSI, MSISDN)
        );
        assert_eq!(
            read(OpCode::RESTORE_DATA, Invoke, &MapArg::restore_data(IMSI))
                .imsi
                .unwrap()
                .to_string(),
            IMSI
        );
        assert_eq!(
            read(
                OpCode::DELETE_SUBSCRIBER_DATA,
                Invoke,
                &MapArg::delete_subscriber_data(IMSI)
            )
            .imsi
            .unwrap()
            .to_string(),
            IMSI
        );
        assert_eq!(
            read(OpCode::READY_FOR_SM, Invoke, &MapArg::ready_for_sm(IMSI))
                .imsi
                .unwrap()
                .to_string(),
            IMSI
        );
        assert_eq!(
            read(
                OpCode::PROCESS_UNSTRUCTURED_SS_REQUEST,
                Invoke,
                &MapArg::process_unstructured_ss_request(MSISDN, b"*100#")
            )
            .msisdn
            .unwrap()
            .to_string(),
            MSISDN
        );
        assert_eq!(
            read(
                OpCode::ALERT_SERVICE_CENTRE,
                Invoke,
                &MapArg::alert_service_centre(MSISDN, "44")
            )
            .msisdn
            .unwrap()
            .to_string(),
            MSISDN
        );
        assert!(read(
            OpCode::SEND_IDENTIFICATION,
            Invoke,
            &MapArg::send_identification([1, 2, 3, 4])
        )
        .imsi
        .is_none());
    }
}
