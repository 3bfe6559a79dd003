//! Times as sortable text: charge points send RFC 3339 with any offset and precision, which does
//! not sort as text, so the store keeps a normalised UTC copy beside the original.

use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` in UTC, or `None` if `text` is not an RFC 3339 time.
pub(crate) fn utc_key(text: &str) -> Option<String> {
    OffsetDateTime::parse(text, &Rfc3339)
        .ok()
        .map(|time| format_key(time.to_offset(UtcOffset::UTC)))
}

/// The current time as a key, for times Ampwise records itself.
pub(crate) fn now_key() -> String {
    format_key(OffsetDateTime::now_utc())
}

fn format_key(time: OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        time.year(),
        u8::from(time.month()),
        time.day(),
        time.hour(),
        time.minute(),
        time.second(),
        time.millisecond()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_and_precision_are_normalised_to_utc_milliseconds() {
        assert_eq!(
            utc_key("2024-03-01T10:00:00+02:00").as_deref(),
            Some("2024-03-01T08:00:00.000Z")
        );
        assert_eq!(
            utc_key("2024-03-01T08:00:00.123456Z").as_deref(),
            Some("2024-03-01T08:00:00.123Z")
        );
        assert_eq!(
            utc_key("2023-12-31T23:30:00-01:00").as_deref(),
            Some("2024-01-01T00:30:00.000Z")
        );
    }

    #[test]
    fn text_that_is_not_rfc3339_has_no_key() {
        assert_eq!(utc_key("2024-03-01 10:00"), None);
        assert_eq!(utc_key("2024-03-01T10:00:00"), None);
        assert_eq!(utc_key(""), None);
    }

    #[test]
    fn keys_sort_like_time() {
        let earlier = utc_key("2024-03-01T10:00:00+02:00").unwrap_or_default();
        let later = utc_key("2024-03-01T09:00:00Z").unwrap_or_default();
        assert!(earlier < later);
        assert!(now_key() > later);
    }
}
