//! For every action: a complete request and response (every optional field present) and a minimal
//! one (required fields only), with values a real charge point or central system would send.

use ampwise_ocpp::messages::*;
use ampwise_ocpp::types::*;
use ampwise_ocpp::Action;

pub struct Examples<A: Action> {
    pub full_request: A::Request,
    pub minimal_request: A::Request,
    pub full_response: A::Response,
    pub minimal_response: A::Response,
}

pub fn ci<const N: usize>(text: &str) -> CiString<N> {
    CiString::new(text).unwrap()
}

pub fn dt(text: &str) -> DateTime {
    DateTime::parse(text).unwrap()
}

/// An OCMF document as an Eichrecht meter emits it: the signature covers the payload bytes exactly.
pub const OCMF: &str = r#"OCMF|{"FV":"1.0","GI":"AMPWISE WALLBOX","GS":"AW-0001234","GV":"1.27.4","PG":"T42","MV":"Eastron","MM":"SDM630-MID","MS":"21034567","MF":"1.0","IS":true,"IL":"VERIFIED","IF":["RFID_PLAIN","OCPP_RS_TLS"],"IT":"ISO14443","ID":"04A2B3C4D5E6F7","RD":[{"TM":"2024-05-01T13:30:00,000+0200 S","TX":"E","RV":21.437,"RI":"1-b:1.8.0","RU":"kWh","RT":"AC","EF":"","ST":"G"}]}|{"SA":"ECDSA-secp256r1-SHA256","SD":"3045022100A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F60718293A4B5C6D7E8F902205F6E7D8C9BA0B1C2D3E4F5061728394A5B6C7D8E9F00112233445566778899AA"}"#;

const PEM_CERTIFICATE: &str = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUXkqbHB0aGRgXFhUUExIREA8ODQwwCgYIKoZIzj0EAwIw\nLzELMAkGA1UEBhMCREUxIDAeBgNVBAMMF0FtcHdpc2UgQ2VudHJhbCBTeXN0ZW0w\nHhcNMjQwNTAxMDAwMDAwWhcNMzQwNTAxMDAwMDAwWjAvMQswCQYDVQQGEwJERTEg\n-----END CERTIFICATE-----\n";

const PEM_CSR: &str = "-----BEGIN CERTIFICATE REQUEST-----\nMIIBGzCBwwIBADA0MQswCQYDVQQGEwJERTEQMA4GA1UECgwHQW1wd2lzZTETMBEG\nA1UEAwwKQVctMDAwMTIzNDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABE1h2m3Q\n-----END CERTIFICATE REQUEST-----\n";

fn id_tag_info_full() -> IdTagInfo {
    IdTagInfo {
        expiry_date: Some(dt("2024-12-31T23:59:59Z")),
        parent_id_tag: Some(ci("FLEET-0042")),
        status: AuthorizationStatus::Accepted,
    }
}

fn certificate_hash_data() -> CertificateHashData {
    CertificateHashData {
        hash_algorithm: HashAlgorithm::Sha256,
        issuer_name_hash: ci("7A9B1C4D2E3F405162738495A6B7C8D9E0F1A2B3C4D5E6F708192A3B4C5D6E7F"),
        issuer_key_hash: ci("0F1E2D3C4B5A69788796A5B4C3D2E1F00112233445566778899AABBCCDDEEFF0"),
        serial_number: ci("5E4A9B1C"),
    }
}

/// A recurring daily profile: 16 A, throttled to 6 A at the evening peak (17:00–21:00).
fn daily_peak_profile(
    purpose: ChargingProfilePurpose,
    transaction_id: Option<i32>,
) -> ChargingProfile {
    ChargingProfile {
        charging_profile_id: 100,
        transaction_id,
        stack_level: 1,
        charging_profile_purpose: purpose,
        charging_profile_kind: ChargingProfileKind::Recurring,
        recurrency_kind: Some(RecurrencyKind::Daily),
        valid_from: Some(dt("2024-05-01T00:00:00+02:00")),
        valid_to: Some(dt("2024-10-31T23:59:59+01:00")),
        charging_schedule: ChargingSchedule {
            duration: Some(86_400),
            start_schedule: Some(dt("2024-05-01T00:00:00+02:00")),
            charging_rate_unit: ChargingRateUnit::A,
            charging_schedule_period: vec![
                ChargingSchedulePeriod {
                    start_period: 0,
                    limit: 16.0,
                    number_phases: Some(3),
                },
                ChargingSchedulePeriod {
                    start_period: 61_200,
                    limit: 6.0,
                    number_phases: Some(1),
                },
                ChargingSchedulePeriod {
                    start_period: 75_600,
                    limit: 16.0,
                    number_phases: None,
                },
            ],
            min_charging_rate: Some(6.0),
        },
    }
}

/// The blocking pattern: a TxDefaultProfile with limit 0 A, required fields only.
fn blocking_profile() -> ChargingProfile {
    ChargingProfile {
        charging_profile_id: 1,
        transaction_id: None,
        stack_level: 0,
        charging_profile_purpose: ChargingProfilePurpose::TxDefaultProfile,
        charging_profile_kind: ChargingProfileKind::Relative,
        recurrency_kind: None,
        valid_from: None,
        valid_to: None,
        charging_schedule: ChargingSchedule {
            duration: None,
            start_schedule: None,
            charging_rate_unit: ChargingRateUnit::A,
            charging_schedule_period: vec![ChargingSchedulePeriod {
                start_period: 0,
                limit: 0.0,
                number_phases: None,
            }],
            min_charging_rate: None,
        },
    }
}

fn reading(
    value: &str,
    measurand: Measurand,
    unit: UnitOfMeasure,
    phase: Option<Phase>,
) -> SampledValue {
    SampledValue {
        context: Some(ReadingContext::SamplePeriodic),
        format: Some(ValueFormat::Raw),
        measurand: Some(measurand),
        phase,
        location: Some(Location::Outlet),
        unit: Some(unit),
        ..SampledValue::new(value)
    }
}

fn signed_reading(context: ReadingContext) -> SampledValue {
    SampledValue {
        context: Some(context),
        format: Some(ValueFormat::SignedData),
        measurand: Some(Measurand::EnergyActiveImportRegister),
        phase: None,
        location: Some(Location::Outlet),
        unit: Some(UnitOfMeasure::Wh),
        ..SampledValue::new(OCMF)
    }
}

/// A periodic sample of a 3-phase 11 kW session: energy, power, current per phase and more.
fn periodic_meter_value() -> MeterValue {
    let mut sampled = NonEmptyVec::new(reading(
        "12345678",
        Measurand::EnergyActiveImportRegister,
        UnitOfMeasure::Wh,
        None,
    ));
    sampled.push(reading(
        "11040",
        Measurand::PowerActiveImport,
        UnitOfMeasure::W,
        None,
    ));
    sampled.push(reading(
        "15.9",
        Measurand::CurrentImport,
        UnitOfMeasure::A,
        Some(Phase::L1),
    ));
    sampled.push(reading(
        "16.0",
        Measurand::CurrentImport,
        UnitOfMeasure::A,
        Some(Phase::L2),
    ));
    sampled.push(reading(
        "15.8",
        Measurand::CurrentImport,
        UnitOfMeasure::A,
        Some(Phase::L3),
    ));
    sampled.push(reading(
        "230.4",
        Measurand::Voltage,
        UnitOfMeasure::V,
        Some(Phase::L1N),
    ));
    sampled.push(reading(
        "16",
        Measurand::CurrentOffered,
        UnitOfMeasure::A,
        None,
    ));
    sampled.push(reading(
        "50.01",
        Measurand::Frequency,
        UnitOfMeasure::Hertz,
        None,
    ));
    sampled.push(SampledValue {
        location: Some(Location::Body),
        ..reading("41.5", Measurand::Temperature, UnitOfMeasure::Celsius, None)
    });
    sampled.push(SampledValue {
        location: Some(Location::Ev),
        ..reading("63", Measurand::SoC, UnitOfMeasure::Percent, None)
    });
    MeterValue {
        timestamp: dt("2024-05-01T13:15:00Z"),
        sampled_value: sampled,
    }
}

pub fn authorize() -> Examples<Authorize> {
    Examples {
        full_request: AuthorizeRequest {
            id_tag: ci("04A2B3C4D5E6F7"),
        },
        minimal_request: AuthorizeRequest {
            id_tag: ci("DEADBEEF"),
        },
        full_response: AuthorizeResponse {
            id_tag_info: id_tag_info_full(),
        },
        minimal_response: AuthorizeResponse {
            id_tag_info: IdTagInfo::new(AuthorizationStatus::Invalid),
        },
    }
}

pub fn boot_notification() -> Examples<BootNotification> {
    Examples {
        full_request: BootNotificationRequest {
            charge_point_vendor: ci("Ampwise Labs"),
            charge_point_model: ci("AW11-3P"),
            charge_point_serial_number: Some(ci("AW-0001234")),
            charge_box_serial_number: Some(ci("CB-0001234")),
            firmware_version: Some(ci("1.27.4+build.5521")),
            iccid: Some(ci("8949226401234567890")),
            imsi: Some(ci("262011234567890")),
            meter_type: Some(ci("Eastron SDM630-MID")),
            meter_serial_number: Some(ci("21034567")),
        },
        minimal_request: BootNotificationRequest {
            charge_point_vendor: ci("cFos"),
            charge_point_model: ci("Power Brain 11kW"),
            charge_point_serial_number: None,
            charge_box_serial_number: None,
            firmware_version: None,
            iccid: None,
            imsi: None,
            meter_type: None,
            meter_serial_number: None,
        },
        full_response: BootNotificationResponse {
            status: RegistrationStatus::Accepted,
            current_time: dt("2024-05-01T12:00:00.000Z"),
            interval: 300,
        },
        minimal_response: BootNotificationResponse {
            status: RegistrationStatus::Pending,
            current_time: dt("2024-05-01T14:00:00+02:00"),
            interval: 60,
        },
    }
}

pub fn cancel_reservation() -> Examples<CancelReservation> {
    Examples {
        full_request: CancelReservationRequest { reservation_id: 17 },
        minimal_request: CancelReservationRequest { reservation_id: 18 },
        full_response: CancelReservationResponse {
            status: CancelReservationStatus::Accepted,
        },
        minimal_response: CancelReservationResponse {
            status: CancelReservationStatus::Rejected,
        },
    }
}

pub fn certificate_signed() -> Examples<CertificateSigned> {
    let chain = format!("{PEM_CERTIFICATE}{PEM_CERTIFICATE}");
    Examples {
        full_request: CertificateSignedRequest {
            certificate_chain: ci(&chain),
        },
        minimal_request: CertificateSignedRequest {
            certificate_chain: ci(PEM_CERTIFICATE),
        },
        full_response: CertificateSignedResponse {
            status: CertificateSignedStatus::Accepted,
        },
        minimal_response: CertificateSignedResponse {
            status: CertificateSignedStatus::Rejected,
        },
    }
}

pub fn change_availability() -> Examples<ChangeAvailability> {
    Examples {
        full_request: ChangeAvailabilityRequest {
            connector_id: 1,
            kind: AvailabilityType::Inoperative,
        },
        minimal_request: ChangeAvailabilityRequest {
            connector_id: 0,
            kind: AvailabilityType::Operative,
        },
        full_response: ChangeAvailabilityResponse {
            status: AvailabilityStatus::Scheduled,
        },
        minimal_response: ChangeAvailabilityResponse {
            status: AvailabilityStatus::Accepted,
        },
    }
}

pub fn change_configuration() -> Examples<ChangeConfiguration> {
    Examples {
        full_request: ChangeConfigurationRequest {
            key: ci("MeterValuesSampledData"),
            value: ci("Energy.Active.Import.Register,Power.Active.Import,Current.Import"),
        },
        minimal_request: ChangeConfigurationRequest {
            key: ci("HeartbeatInterval"),
            value: ci("300"),
        },
        full_response: ChangeConfigurationResponse {
            status: ConfigurationStatus::RebootRequired,
        },
        minimal_response: ChangeConfigurationResponse {
            status: ConfigurationStatus::NotSupported,
        },
    }
}

pub fn clear_cache() -> Examples<ClearCache> {
    Examples {
        full_request: ClearCacheRequest {},
        minimal_request: ClearCacheRequest::default(),
        full_response: ClearCacheResponse {
            status: ClearCacheStatus::Accepted,
        },
        minimal_response: ClearCacheResponse {
            status: ClearCacheStatus::Rejected,
        },
    }
}

pub fn clear_charging_profile() -> Examples<ClearChargingProfile> {
    Examples {
        full_request: ClearChargingProfileRequest {
            id: Some(100),
            connector_id: Some(1),
            charging_profile_purpose: Some(ChargingProfilePurpose::TxDefaultProfile),
            stack_level: Some(0),
        },
        minimal_request: ClearChargingProfileRequest::default(),
        full_response: ClearChargingProfileResponse {
            status: ClearChargingProfileStatus::Accepted,
        },
        minimal_response: ClearChargingProfileResponse {
            status: ClearChargingProfileStatus::Unknown,
        },
    }
}

pub fn data_transfer() -> Examples<DataTransfer> {
    Examples {
        full_request: DataTransferRequest {
            vendor_id: ci("de.ampwise"),
            message_id: Some(ci("GetMeterConfig")),
            data: Some(r#"{"meter":2,"registers":[8058,8062]}"#.to_owned()),
        },
        minimal_request: DataTransferRequest {
            vendor_id: ci("com.example.unknown"),
            message_id: None,
            data: None,
        },
        full_response: DataTransferResponse {
            status: DataTransferStatus::Accepted,
            data: Some(r#"{"type":"SDM630","address":1}"#.to_owned()),
        },
        minimal_response: DataTransferResponse {
            status: DataTransferStatus::UnknownVendorId,
            data: None,
        },
    }
}

pub fn delete_certificate() -> Examples<DeleteCertificate> {
    Examples {
        full_request: DeleteCertificateRequest {
            certificate_hash_data: certificate_hash_data(),
        },
        minimal_request: DeleteCertificateRequest {
            certificate_hash_data: CertificateHashData {
                hash_algorithm: HashAlgorithm::Sha512,
                serial_number: ci("01"),
                ..certificate_hash_data()
            },
        },
        full_response: DeleteCertificateResponse {
            status: DeleteCertificateStatus::Accepted,
        },
        minimal_response: DeleteCertificateResponse {
            status: DeleteCertificateStatus::NotFound,
        },
    }
}

pub fn diagnostics_status_notification() -> Examples<DiagnosticsStatusNotification> {
    Examples {
        full_request: DiagnosticsStatusNotificationRequest {
            status: DiagnosticsStatus::Uploading,
        },
        minimal_request: DiagnosticsStatusNotificationRequest {
            status: DiagnosticsStatus::UploadFailed,
        },
        full_response: DiagnosticsStatusNotificationResponse {},
        minimal_response: DiagnosticsStatusNotificationResponse::default(),
    }
}

pub fn extended_trigger_message() -> Examples<ExtendedTriggerMessage> {
    Examples {
        full_request: ExtendedTriggerMessageRequest {
            requested_message: ExtendedMessageTrigger::MeterValues,
            connector_id: Some(1),
        },
        minimal_request: ExtendedTriggerMessageRequest {
            requested_message: ExtendedMessageTrigger::SignChargePointCertificate,
            connector_id: None,
        },
        full_response: ExtendedTriggerMessageResponse {
            status: TriggerMessageStatus::Accepted,
        },
        minimal_response: ExtendedTriggerMessageResponse {
            status: TriggerMessageStatus::NotImplemented,
        },
    }
}

pub fn firmware_status_notification() -> Examples<FirmwareStatusNotification> {
    Examples {
        full_request: FirmwareStatusNotificationRequest {
            status: FirmwareStatus::Downloading,
        },
        minimal_request: FirmwareStatusNotificationRequest {
            status: FirmwareStatus::Installed,
        },
        full_response: FirmwareStatusNotificationResponse {},
        minimal_response: FirmwareStatusNotificationResponse::default(),
    }
}

pub fn get_composite_schedule() -> Examples<GetCompositeSchedule> {
    Examples {
        full_request: GetCompositeScheduleRequest {
            connector_id: 1,
            duration: 3600,
            charging_rate_unit: Some(ChargingRateUnit::A),
        },
        minimal_request: GetCompositeScheduleRequest {
            connector_id: 0,
            duration: 86_400,
            charging_rate_unit: None,
        },
        full_response: GetCompositeScheduleResponse {
            status: GetCompositeScheduleStatus::Accepted,
            connector_id: Some(1),
            schedule_start: Some(dt("2024-05-01T16:30:00Z")),
            charging_schedule: Some(ChargingSchedule {
                duration: Some(3600),
                start_schedule: Some(dt("2024-05-01T16:30:00Z")),
                charging_rate_unit: ChargingRateUnit::A,
                charging_schedule_period: vec![
                    ChargingSchedulePeriod {
                        start_period: 0,
                        limit: 16.0,
                        number_phases: Some(3),
                    },
                    ChargingSchedulePeriod {
                        start_period: 1800,
                        limit: 6.0,
                        number_phases: Some(1),
                    },
                ],
                min_charging_rate: Some(6.0),
            }),
        },
        minimal_response: GetCompositeScheduleResponse {
            status: GetCompositeScheduleStatus::Rejected,
            connector_id: None,
            schedule_start: None,
            charging_schedule: None,
        },
    }
}

pub fn get_configuration() -> Examples<GetConfiguration> {
    Examples {
        full_request: GetConfigurationRequest {
            key: Some(vec![
                ci("HeartbeatInterval"),
                ci("MeterValueSampleInterval"),
                ci("VendorFanSpeed"),
            ]),
        },
        minimal_request: GetConfigurationRequest::default(),
        full_response: GetConfigurationResponse {
            configuration_key: Some(vec![
                KeyValue {
                    key: ci("HeartbeatInterval"),
                    readonly: false,
                    value: Some(ci("300")),
                },
                KeyValue {
                    key: ci("ChargeProfileMaxStackLevel"),
                    readonly: true,
                    value: Some(ci("8")),
                },
                KeyValue {
                    key: ci("MeterValueSampleInterval"),
                    readonly: false,
                    value: None,
                },
            ]),
            unknown_key: Some(vec![ci("VendorFanSpeed")]),
        },
        minimal_response: GetConfigurationResponse::default(),
    }
}

pub fn get_diagnostics() -> Examples<GetDiagnostics> {
    Examples {
        full_request: GetDiagnosticsRequest {
            location: "ftp://diagnostics.example.org/uploads/AW-0001234/".to_owned(),
            retries: Some(3),
            retry_interval: Some(120),
            start_time: Some(dt("2024-04-30T00:00:00Z")),
            stop_time: Some(dt("2024-05-01T00:00:00Z")),
        },
        minimal_request: GetDiagnosticsRequest {
            location: "https://diagnostics.example.org/upload".to_owned(),
            retries: None,
            retry_interval: None,
            start_time: None,
            stop_time: None,
        },
        full_response: GetDiagnosticsResponse {
            file_name: Some(ci("diag-AW-0001234-20240501.tar.gz")),
        },
        minimal_response: GetDiagnosticsResponse::default(),
    }
}

pub fn get_installed_certificate_ids() -> Examples<GetInstalledCertificateIds> {
    let mut installed = NonEmptyVec::new(certificate_hash_data());
    installed.push(CertificateHashData {
        hash_algorithm: HashAlgorithm::Sha384,
        serial_number: ci("7F000001"),
        ..certificate_hash_data()
    });
    Examples {
        full_request: GetInstalledCertificateIdsRequest {
            certificate_type: CertificateUse::CentralSystemRootCertificate,
        },
        minimal_request: GetInstalledCertificateIdsRequest {
            certificate_type: CertificateUse::ManufacturerRootCertificate,
        },
        full_response: GetInstalledCertificateIdsResponse {
            certificate_hash_data: Some(installed),
            status: GetInstalledCertificateStatus::Accepted,
        },
        minimal_response: GetInstalledCertificateIdsResponse {
            certificate_hash_data: None,
            status: GetInstalledCertificateStatus::NotFound,
        },
    }
}

pub fn get_local_list_version() -> Examples<GetLocalListVersion> {
    Examples {
        full_request: GetLocalListVersionRequest {},
        minimal_request: GetLocalListVersionRequest::default(),
        full_response: GetLocalListVersionResponse { list_version: 42 },
        minimal_response: GetLocalListVersionResponse { list_version: -1 },
    }
}

pub fn get_log() -> Examples<GetLog> {
    Examples {
        full_request: GetLogRequest {
            log: LogParameters {
                remote_location: ci("https://logs.example.org/upload/AW-0001234"),
                oldest_timestamp: Some(dt("2024-04-01T00:00:00Z")),
                latest_timestamp: Some(dt("2024-05-01T00:00:00Z")),
            },
            log_type: LogType::SecurityLog,
            request_id: 7,
            retries: Some(2),
            retry_interval: Some(60),
        },
        minimal_request: GetLogRequest {
            log: LogParameters {
                remote_location: ci("ftp://logs.example.org/"),
                oldest_timestamp: None,
                latest_timestamp: None,
            },
            log_type: LogType::DiagnosticsLog,
            request_id: 8,
            retries: None,
            retry_interval: None,
        },
        full_response: GetLogResponse {
            status: LogStatus::AcceptedCanceled,
            filename: Some(ci("security-AW-0001234-7.log")),
        },
        minimal_response: GetLogResponse {
            status: LogStatus::Rejected,
            filename: None,
        },
    }
}

pub fn heartbeat() -> Examples<Heartbeat> {
    Examples {
        full_request: HeartbeatRequest {},
        minimal_request: HeartbeatRequest::default(),
        full_response: HeartbeatResponse {
            current_time: dt("2024-05-01T12:00:00.123456Z"),
        },
        minimal_response: HeartbeatResponse {
            current_time: dt("2024-05-01T12:00:00Z"),
        },
    }
}

pub fn install_certificate() -> Examples<InstallCertificate> {
    Examples {
        full_request: InstallCertificateRequest {
            certificate_type: CertificateUse::CentralSystemRootCertificate,
            certificate: ci(PEM_CERTIFICATE),
        },
        minimal_request: InstallCertificateRequest {
            certificate_type: CertificateUse::ManufacturerRootCertificate,
            certificate: ci(PEM_CERTIFICATE),
        },
        full_response: InstallCertificateResponse {
            status: InstallCertificateStatus::Accepted,
        },
        minimal_response: InstallCertificateResponse {
            status: InstallCertificateStatus::Failed,
        },
    }
}

pub fn log_status_notification() -> Examples<LogStatusNotification> {
    Examples {
        full_request: LogStatusNotificationRequest {
            status: UploadLogStatus::Uploading,
            request_id: Some(7),
        },
        minimal_request: LogStatusNotificationRequest {
            status: UploadLogStatus::Idle,
            request_id: None,
        },
        full_response: LogStatusNotificationResponse {},
        minimal_response: LogStatusNotificationResponse::default(),
    }
}

pub fn meter_values() -> Examples<MeterValues> {
    let mut meter_value = NonEmptyVec::new(periodic_meter_value());
    meter_value.push(MeterValue {
        timestamp: dt("2024-05-01T13:30:00+02:00"),
        sampled_value: NonEmptyVec::new(signed_reading(ReadingContext::SampleClock)),
    });
    Examples {
        full_request: MeterValuesRequest {
            connector_id: 1,
            transaction_id: Some(1234),
            meter_value,
        },
        minimal_request: MeterValuesRequest {
            connector_id: 0,
            transaction_id: None,
            meter_value: NonEmptyVec::new(MeterValue {
                timestamp: dt("2024-05-01T13:15:00Z"),
                sampled_value: NonEmptyVec::new(SampledValue::new("98765432")),
            }),
        },
        full_response: MeterValuesResponse {},
        minimal_response: MeterValuesResponse::default(),
    }
}

pub fn remote_start_transaction() -> Examples<RemoteStartTransaction> {
    Examples {
        full_request: RemoteStartTransactionRequest {
            connector_id: Some(1),
            id_tag: ci("APP-USER-5521"),
            // The specification forbids transactionId here (the transaction does not exist yet), but
            // the schema allows it, so the complete example carries one.
            charging_profile: Some(daily_peak_profile(
                ChargingProfilePurpose::TxProfile,
                Some(1234),
            )),
        },
        minimal_request: RemoteStartTransactionRequest {
            connector_id: None,
            id_tag: ci("APP-USER-5521"),
            charging_profile: None,
        },
        full_response: RemoteStartTransactionResponse {
            status: RemoteStartStopStatus::Accepted,
        },
        minimal_response: RemoteStartTransactionResponse {
            status: RemoteStartStopStatus::Rejected,
        },
    }
}

pub fn remote_stop_transaction() -> Examples<RemoteStopTransaction> {
    Examples {
        full_request: RemoteStopTransactionRequest {
            transaction_id: 1234,
        },
        minimal_request: RemoteStopTransactionRequest { transaction_id: 1 },
        full_response: RemoteStopTransactionResponse {
            status: RemoteStartStopStatus::Accepted,
        },
        minimal_response: RemoteStopTransactionResponse {
            status: RemoteStartStopStatus::Rejected,
        },
    }
}

pub fn reserve_now() -> Examples<ReserveNow> {
    Examples {
        full_request: ReserveNowRequest {
            connector_id: 2,
            expiry_date: dt("2024-05-01T18:00:00+02:00"),
            id_tag: ci("04A2B3C4D5E6F7"),
            parent_id_tag: Some(ci("FLEET-0042")),
            reservation_id: 17,
        },
        minimal_request: ReserveNowRequest {
            connector_id: 0,
            expiry_date: dt("2024-05-01T16:00:00Z"),
            id_tag: ci("04A2B3C4D5E6F7"),
            parent_id_tag: None,
            reservation_id: 18,
        },
        full_response: ReserveNowResponse {
            status: ReservationStatus::Accepted,
        },
        minimal_response: ReserveNowResponse {
            status: ReservationStatus::Occupied,
        },
    }
}

pub fn reset() -> Examples<Reset> {
    Examples {
        full_request: ResetRequest {
            kind: ResetType::Soft,
        },
        minimal_request: ResetRequest {
            kind: ResetType::Hard,
        },
        full_response: ResetResponse {
            status: ResetStatus::Accepted,
        },
        minimal_response: ResetResponse {
            status: ResetStatus::Rejected,
        },
    }
}

pub fn security_event_notification() -> Examples<SecurityEventNotification> {
    Examples {
        full_request: SecurityEventNotificationRequest {
            kind: ci("InvalidCentralSystemCertificate"),
            timestamp: dt("2024-05-01T03:12:45Z"),
            tech_info: Some(ci(
                "certificate expired 2024-04-30T23:59:59Z; CN=cs.example.org",
            )),
        },
        minimal_request: SecurityEventNotificationRequest {
            kind: ci("StartupOfTheDevice"),
            timestamp: dt("2024-05-01T03:10:02Z"),
            tech_info: None,
        },
        full_response: SecurityEventNotificationResponse {},
        minimal_response: SecurityEventNotificationResponse::default(),
    }
}

pub fn send_local_list() -> Examples<SendLocalList> {
    Examples {
        full_request: SendLocalListRequest {
            list_version: 5,
            local_authorization_list: Some(vec![
                AuthorizationData {
                    id_tag: ci("04A2B3C4D5E6F7"),
                    id_tag_info: Some(id_tag_info_full()),
                },
                AuthorizationData {
                    id_tag: ci("BLOCKED-0001"),
                    id_tag_info: Some(IdTagInfo::new(AuthorizationStatus::Blocked)),
                },
                // Differential update: no idTagInfo removes the entry.
                AuthorizationData {
                    id_tag: ci("REMOVED-0002"),
                    id_tag_info: None,
                },
            ]),
            update_type: UpdateType::Differential,
        },
        minimal_request: SendLocalListRequest {
            list_version: 6,
            local_authorization_list: None,
            update_type: UpdateType::Full,
        },
        full_response: SendLocalListResponse {
            status: UpdateStatus::Accepted,
        },
        minimal_response: SendLocalListResponse {
            status: UpdateStatus::VersionMismatch,
        },
    }
}

pub fn set_charging_profile() -> Examples<SetChargingProfile> {
    Examples {
        full_request: SetChargingProfileRequest {
            connector_id: 1,
            cs_charging_profiles: daily_peak_profile(ChargingProfilePurpose::TxProfile, Some(1234)),
        },
        minimal_request: SetChargingProfileRequest {
            connector_id: 0,
            cs_charging_profiles: blocking_profile(),
        },
        full_response: SetChargingProfileResponse {
            status: ChargingProfileStatus::Accepted,
        },
        minimal_response: SetChargingProfileResponse {
            status: ChargingProfileStatus::NotSupported,
        },
    }
}

pub fn sign_certificate() -> Examples<SignCertificate> {
    Examples {
        full_request: SignCertificateRequest { csr: ci(PEM_CSR) },
        minimal_request: SignCertificateRequest { csr: ci(PEM_CSR) },
        full_response: SignCertificateResponse {
            status: GenericStatus::Accepted,
        },
        minimal_response: SignCertificateResponse {
            status: GenericStatus::Rejected,
        },
    }
}

pub fn signed_firmware_status_notification() -> Examples<SignedFirmwareStatusNotification> {
    Examples {
        full_request: SignedFirmwareStatusNotificationRequest {
            status: SignedFirmwareStatus::SignatureVerified,
            request_id: Some(3),
        },
        minimal_request: SignedFirmwareStatusNotificationRequest {
            status: SignedFirmwareStatus::Idle,
            request_id: None,
        },
        full_response: SignedFirmwareStatusNotificationResponse {},
        minimal_response: SignedFirmwareStatusNotificationResponse::default(),
    }
}

pub fn signed_update_firmware() -> Examples<SignedUpdateFirmware> {
    let firmware = Firmware {
        location: ci("https://firmware.example.org/aw11/1.28.0.bin"),
        retrieve_date_time: dt("2024-05-02T01:00:00Z"),
        install_date_time: Some(dt("2024-05-02T03:00:00Z")),
        signing_certificate: ci(PEM_CERTIFICATE),
        signature: ci("MEUCIQCh7Tq9m7b2yQn0fW1kR8o9eY3bXb6nS2v0H5mQ1aVb0wIgWm3cYl8o2Q7s0pR9t1vK6xZ4yB2nM8qL5wE3dF7gH1k="),
    };
    Examples {
        full_request: SignedUpdateFirmwareRequest {
            retries: Some(3),
            retry_interval: Some(300),
            request_id: 3,
            firmware: firmware.clone(),
        },
        minimal_request: SignedUpdateFirmwareRequest {
            retries: None,
            retry_interval: None,
            request_id: 4,
            firmware: Firmware {
                install_date_time: None,
                ..firmware
            },
        },
        full_response: SignedUpdateFirmwareResponse {
            status: UpdateFirmwareStatus::AcceptedCanceled,
        },
        minimal_response: SignedUpdateFirmwareResponse {
            status: UpdateFirmwareStatus::InvalidCertificate,
        },
    }
}

pub fn start_transaction() -> Examples<StartTransaction> {
    Examples {
        full_request: StartTransactionRequest {
            connector_id: 1,
            id_tag: ci("04A2B3C4D5E6F7"),
            meter_start: 12_345_678,
            reservation_id: Some(17),
            timestamp: dt("2024-05-01T13:00:00Z"),
        },
        minimal_request: StartTransactionRequest {
            connector_id: 2,
            id_tag: ci("APP-USER-5521"),
            meter_start: 0,
            reservation_id: None,
            timestamp: dt("2024-05-01T15:00:00+02:00"),
        },
        full_response: StartTransactionResponse {
            id_tag_info: id_tag_info_full(),
            transaction_id: 1234,
        },
        minimal_response: StartTransactionResponse {
            id_tag_info: IdTagInfo::new(AuthorizationStatus::ConcurrentTx),
            transaction_id: 0,
        },
    }
}

pub fn status_notification() -> Examples<StatusNotification> {
    Examples {
        full_request: StatusNotificationRequest {
            connector_id: 1,
            error_code: ChargePointErrorCode::OverCurrentFailure,
            info: Some(ci("L2 above 40 A for 2 s")),
            status: ChargePointStatus::Faulted,
            timestamp: Some(dt("2024-05-01T13:20:11Z")),
            vendor_id: Some(ci("de.ampwise")),
            vendor_error_code: Some(ci("E_OC_L2")),
        },
        minimal_request: StatusNotificationRequest {
            connector_id: 1,
            error_code: ChargePointErrorCode::NoError,
            info: None,
            status: ChargePointStatus::SuspendedEvse,
            timestamp: None,
            vendor_id: None,
            vendor_error_code: None,
        },
        full_response: StatusNotificationResponse {},
        minimal_response: StatusNotificationResponse::default(),
    }
}

pub fn stop_transaction() -> Examples<StopTransaction> {
    // The StopTransaction schema predates the Hertz unit, so the frequency reading stays out.
    let mut periodic = TransactionData::from(periodic_meter_value());
    periodic
        .sampled_value
        .retain(|sample| sample.unit != Some(UnitOfMeasure::Hertz));
    Examples {
        full_request: StopTransactionRequest {
            id_tag: Some(ci("04A2B3C4D5E6F7")),
            meter_stop: 12_367_115,
            timestamp: dt("2024-05-01T13:30:05Z"),
            transaction_id: 1234,
            reason: Some(Reason::EvDisconnected),
            transaction_data: Some(vec![
                TransactionData {
                    timestamp: dt("2024-05-01T13:00:00Z"),
                    sampled_value: vec![signed_reading(ReadingContext::TransactionBegin)],
                },
                periodic,
                TransactionData {
                    timestamp: dt("2024-05-01T13:30:05Z"),
                    sampled_value: vec![
                        signed_reading(ReadingContext::TransactionEnd),
                        SampledValue {
                            context: Some(ReadingContext::TransactionEnd),
                            ..reading(
                                "12367115",
                                Measurand::EnergyActiveImportRegister,
                                UnitOfMeasure::Wh,
                                None,
                            )
                        },
                    ],
                },
            ]),
        },
        minimal_request: StopTransactionRequest {
            id_tag: None,
            meter_stop: 12_367_115,
            timestamp: dt("2024-05-01T13:30:05Z"),
            transaction_id: 1234,
            reason: None,
            transaction_data: None,
        },
        full_response: StopTransactionResponse {
            id_tag_info: Some(id_tag_info_full()),
        },
        minimal_response: StopTransactionResponse::default(),
    }
}

pub fn trigger_message() -> Examples<TriggerMessage> {
    Examples {
        full_request: TriggerMessageRequest {
            requested_message: MessageTrigger::StatusNotification,
            connector_id: Some(2),
        },
        minimal_request: TriggerMessageRequest {
            requested_message: MessageTrigger::Heartbeat,
            connector_id: None,
        },
        full_response: TriggerMessageResponse {
            status: TriggerMessageStatus::Accepted,
        },
        minimal_response: TriggerMessageResponse {
            status: TriggerMessageStatus::Rejected,
        },
    }
}

pub fn unlock_connector() -> Examples<UnlockConnector> {
    Examples {
        full_request: UnlockConnectorRequest { connector_id: 1 },
        minimal_request: UnlockConnectorRequest { connector_id: 2 },
        full_response: UnlockConnectorResponse {
            status: UnlockStatus::Unlocked,
        },
        minimal_response: UnlockConnectorResponse {
            status: UnlockStatus::UnlockFailed,
        },
    }
}

pub fn update_firmware() -> Examples<UpdateFirmware> {
    Examples {
        full_request: UpdateFirmwareRequest {
            location: "https://firmware.example.org/aw11/1.28.0.bin".to_owned(),
            retries: Some(3),
            retrieve_date: dt("2024-05-02T01:00:00Z"),
            retry_interval: Some(600),
        },
        minimal_request: UpdateFirmwareRequest {
            location: "ftp://firmware.example.org/aw11.bin".to_owned(),
            retries: None,
            retrieve_date: dt("2024-05-02T01:00:00Z"),
            retry_interval: None,
        },
        full_response: UpdateFirmwareResponse {},
        minimal_response: UpdateFirmwareResponse::default(),
    }
}
