//! Types shared by several OCPP 1.6 messages: bounded strings, date-times, non-empty arrays and the
//! data structures the specification defines once and reuses (IdTagInfo, MeterValue,
//! ChargingProfile, CertificateHashData).

mod certificate;
mod charging_profile;
mod ci_string;
mod date_time;
mod id_tag;
mod meter_value;
mod non_empty;

pub use certificate::{CertificateHashData, CertificateUse, HashAlgorithm};
pub use charging_profile::{
    ChargingProfile, ChargingProfileKind, ChargingProfilePurpose, ChargingRateUnit,
    ChargingSchedule, ChargingSchedulePeriod, RecurrencyKind,
};
pub use ci_string::{
    CiString, CiString20, CiString25, CiString255, CiString50, CiString500, StringTooLong,
};
pub use date_time::{DateTime, InvalidDateTime};
pub use id_tag::{AuthorizationStatus, IdTagInfo, IdToken};
pub use meter_value::{
    Location, Measurand, MeterValue, Phase, ReadingContext, SampledValue, TransactionData,
    UnitOfMeasure, ValueFormat,
};
pub use non_empty::{NonEmptyVec, TooFewItems};
