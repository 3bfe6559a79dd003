//! Deciding whether a charge point's WebSocket upgrade request is let in, before anything is upgraded.
//!
//! Pure on purpose: the server feeds it the request's path and headers and turns the decision into
//! an HTTP answer, so every rule here is tested without a socket.

use base64::Engine;
use http::HeaderMap;

use crate::secrets::Secret;

/// The subprotocol Ampwise speaks; charge points offer it in `Sec-WebSocket-Protocol`.
pub const SUBPROTOCOL: &str = ampwise_ocpp::SUBPROTOCOL;

/// What the server knows when a charge point knocks.
pub struct HandshakePolicy<'a> {
    /// Whether a ChargeBox ID belongs to a configured device.
    pub is_known: &'a (dyn Fn(&str) -> bool + Sync),
    pub accept_unknown: bool,
    pub password: PasswordCheck<'a>,
}

/// Whether charge points must log in (security profile 1 over ws, 2 over wss).
#[derive(Clone, Copy)]
pub enum PasswordCheck<'a> {
    /// No password is configured.
    Open,
    Required(&'a Secret),
    /// A password is configured but cannot be read (keyring locked or entry missing): nobody gets
    /// in, rather than everybody.
    Unavailable,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandshakeDecision {
    Accept {
        charge_box_id: String,
        /// `Some` when the charge point offered `ocpp1.6` and it is echoed back.
        subprotocol: Option<&'static str>,
    },
    Reject(Rejection),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub reason: RejectReason,
    /// The identity from the URL, when there was one (for the list of refused charge points).
    pub charge_box_id: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectReason {
    /// The URL has no last path segment to take the ChargeBox ID from.
    NoIdentity,
    /// No device has this ChargeBox ID and unknown charge points are not accepted.
    UnknownChargePoint,
    /// A password is required and the request carries no usable HTTP Basic credentials.
    MissingCredentials,
    /// The user name is not the ChargeBox ID, or the password is wrong.
    WrongCredentials,
    /// The charge point offers subprotocols, but not `ocpp1.6`.
    NoCommonSubprotocol,
}

impl RejectReason {
    /// The HTTP status the upgrade request is answered with.
    pub fn status(self) -> u16 {
        match self {
            RejectReason::NoIdentity | RejectReason::UnknownChargePoint => 404,
            RejectReason::MissingCredentials | RejectReason::WrongCredentials => 401,
            RejectReason::NoCommonSubprotocol => 400,
        }
    }

    /// A short explanation for the log and the response body; never contains a credential.
    pub fn describe(self) -> &'static str {
        match self {
            RejectReason::NoIdentity => "the URL must end with the ChargeBox ID",
            RejectReason::UnknownChargePoint => "no device has this ChargeBox ID",
            RejectReason::MissingCredentials => "this server requires a password (HTTP Basic)",
            RejectReason::WrongCredentials => "wrong ChargeBox ID or password",
            RejectReason::NoCommonSubprotocol => "this server speaks only the ocpp1.6 subprotocol",
        }
    }
}

/// Decides on an upgrade request from its path (without the query) and headers.
pub fn check_upgrade(
    path: &str,
    headers: &HeaderMap,
    policy: &HandshakePolicy<'_>,
) -> HandshakeDecision {
    let Some(charge_box_id) = charge_box_id_from_path(path) else {
        return reject(RejectReason::NoIdentity, None);
    };
    if !policy.accept_unknown && !(policy.is_known)(&charge_box_id) {
        return reject(RejectReason::UnknownChargePoint, Some(charge_box_id));
    }
    let required = match policy.password {
        PasswordCheck::Open => None,
        PasswordCheck::Required(password) => Some(Some(password)),
        PasswordCheck::Unavailable => Some(None),
    };
    if let Some(password) = required {
        match basic_credentials(headers) {
            None => return reject(RejectReason::MissingCredentials, Some(charge_box_id)),
            Some((user, given)) => {
                // Both are checked whatever the first outcome, so timing tells nothing.
                let user_matches = user == charge_box_id;
                let password_matches =
                    password.is_some_and(|password| password.matches(given.expose()));
                if !(user_matches && password_matches) {
                    return reject(RejectReason::WrongCredentials, Some(charge_box_id));
                }
            }
        }
    }
    let subprotocol = match offered_subprotocols(headers) {
        None => None,
        Some(offered) if offered.iter().any(|p| p.eq_ignore_ascii_case(SUBPROTOCOL)) => {
            Some(SUBPROTOCOL)
        }
        Some(_) => return reject(RejectReason::NoCommonSubprotocol, Some(charge_box_id)),
    };
    HandshakeDecision::Accept {
        charge_box_id,
        subprotocol,
    }
}

fn reject(reason: RejectReason, charge_box_id: Option<String>) -> HandshakeDecision {
    HandshakeDecision::Reject(Rejection {
        reason,
        charge_box_id,
    })
}

/// The ChargeBox ID is the last non-empty path segment, percent-decoded, so `/CB1`, `/ocpp/CB1` and
/// `/ocpp/CB1/` all name `CB1`.
pub fn charge_box_id_from_path(path: &str) -> Option<String> {
    let segment = path.split('/').rev().find(|segment| !segment.is_empty())?;
    let decoded = percent_encoding::percent_decode_str(segment)
        .decode_utf8()
        .ok()?
        .into_owned();
    let usable = !decoded.is_empty()
        && decoded.chars().count() <= 48
        && !decoded.chars().any(|c| c.is_control() || c == '/');
    usable.then_some(decoded)
}

/// User name and password from `Authorization: Basic …`, if present and well-formed.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, Secret)> {
    let value = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    // The identity cannot contain ':' (security whitepaper), so the first ':' ends the user name.
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), Secret::new(password).ok()?))
}

/// Every protocol offered in `Sec-WebSocket-Protocol` headers, or `None` when none was offered.
fn offered_subprotocols(headers: &HeaderMap) -> Option<Vec<String>> {
    let offered: Vec<String> = headers
        .get_all(http::header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|protocol| protocol.trim().to_owned())
        .filter(|protocol| !protocol.is_empty())
        .collect();
    (!offered.is_empty()).then_some(offered)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&http::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn basic(user: &str, password: &str) -> String {
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        format!("Basic {token}")
    }

    fn known(id: &str) -> bool {
        id == "CB1" || id == "Wallbox 7"
    }

    fn policy(password: Option<&Secret>) -> HandshakePolicy<'_> {
        HandshakePolicy {
            is_known: &known,
            accept_unknown: false,
            password: password.map_or(PasswordCheck::Open, PasswordCheck::Required),
        }
    }

    fn ocpp16() -> HeaderMap {
        headers(&[(&http::header::SEC_WEBSOCKET_PROTOCOL, "ocpp1.6")])
    }

    #[test]
    fn the_identity_is_the_last_path_segment() {
        assert_eq!(charge_box_id_from_path("/CB1").as_deref(), Some("CB1"));
        assert_eq!(
            charge_box_id_from_path("/any/path/CB1").as_deref(),
            Some("CB1")
        );
        assert_eq!(
            charge_box_id_from_path("/ocpp/CB1/").as_deref(),
            Some("CB1")
        );
        assert_eq!(
            charge_box_id_from_path("/Wallbox%207").as_deref(),
            Some("Wallbox 7")
        );
        assert_eq!(charge_box_id_from_path("/"), None);
        assert_eq!(charge_box_id_from_path(""), None);
        assert_eq!(charge_box_id_from_path("/%FF"), None, "not UTF-8");
        assert_eq!(charge_box_id_from_path("/a%2Fb"), None, "an encoded slash");
        assert_eq!(
            charge_box_id_from_path(&format!("/{}", "x".repeat(49))),
            None
        );
    }

    #[test]
    fn a_known_charge_point_is_accepted_with_the_subprotocol_echoed() {
        assert_eq!(
            check_upgrade("/ocpp/CB1", &ocpp16(), &policy(None)),
            HandshakeDecision::Accept {
                charge_box_id: "CB1".to_owned(),
                subprotocol: Some("ocpp1.6"),
            }
        );
    }

    #[test]
    fn several_offered_protocols_are_understood() {
        let offered = headers(&[(&http::header::SEC_WEBSOCKET_PROTOCOL, "ocpp2.0.1, ocpp1.6")]);
        assert!(matches!(
            check_upgrade("/CB1", &offered, &policy(None)),
            HandshakeDecision::Accept {
                subprotocol: Some("ocpp1.6"),
                ..
            }
        ));
    }

    #[test]
    fn no_offered_protocol_is_tolerated_but_a_foreign_one_is_refused() {
        assert!(matches!(
            check_upgrade("/CB1", &HeaderMap::new(), &policy(None)),
            HandshakeDecision::Accept {
                subprotocol: None,
                ..
            }
        ));
        let foreign = headers(&[(&http::header::SEC_WEBSOCKET_PROTOCOL, "ocpp2.0.1")]);
        let HandshakeDecision::Reject(rejection) = check_upgrade("/CB1", &foreign, &policy(None))
        else {
            panic!("a charge point without ocpp1.6 must be refused");
        };
        assert_eq!(rejection.reason, RejectReason::NoCommonSubprotocol);
        assert_eq!(rejection.reason.status(), 400);
    }

    #[test]
    fn unknown_charge_points_get_404_unless_accepted() {
        let HandshakeDecision::Reject(rejection) = check_upgrade("/CB9", &ocpp16(), &policy(None))
        else {
            panic!("unknown charge point let in");
        };
        assert_eq!(rejection.reason.status(), 404);
        assert_eq!(rejection.charge_box_id.as_deref(), Some("CB9"));

        let open = HandshakePolicy {
            accept_unknown: true,
            ..policy(None)
        };
        assert!(matches!(
            check_upgrade("/CB9", &ocpp16(), &open),
            HandshakeDecision::Accept { .. }
        ));
    }

    #[test]
    fn a_password_is_checked_with_the_identity_as_user() {
        let password = Secret::new("pa:ss word").unwrap();
        let with = |auth: &str| {
            let mut map = ocpp16();
            map.insert(
                http::header::AUTHORIZATION,
                HeaderValue::from_str(auth).unwrap(),
            );
            check_upgrade("/CB1", &map, &policy(Some(&password)))
        };
        assert!(matches!(
            with(&basic("CB1", "pa:ss word")),
            HandshakeDecision::Accept { .. }
        ));
        for (auth, reason) in [
            (basic("CB1", "wrong"), RejectReason::WrongCredentials),
            (basic("CB2", "pa:ss word"), RejectReason::WrongCredentials),
            ("Bearer abc".to_owned(), RejectReason::MissingCredentials),
            ("Basic !!!".to_owned(), RejectReason::MissingCredentials),
        ] {
            let HandshakeDecision::Reject(rejection) = with(&auth) else {
                panic!("{auth} let in");
            };
            assert_eq!(rejection.reason, reason, "{auth}");
            assert_eq!(rejection.reason.status(), 401);
        }
        let HandshakeDecision::Reject(rejection) =
            check_upgrade("/CB1", &ocpp16(), &policy(Some(&password)))
        else {
            panic!("no credentials let in");
        };
        assert_eq!(rejection.reason, RejectReason::MissingCredentials);
    }

    #[test]
    fn an_unreadable_password_lets_nobody_in() {
        let locked = HandshakePolicy {
            password: PasswordCheck::Unavailable,
            ..policy(None)
        };
        let mut map = ocpp16();
        map.insert(
            http::header::AUTHORIZATION,
            HeaderValue::from_str(&basic("CB1", "anything")).unwrap(),
        );
        let HandshakeDecision::Reject(rejection) = check_upgrade("/CB1", &map, &locked) else {
            panic!("let in without a readable password");
        };
        assert_eq!(rejection.reason.status(), 401);
    }

    #[test]
    fn without_a_password_credentials_are_ignored() {
        let mut map = ocpp16();
        map.insert(
            http::header::AUTHORIZATION,
            HeaderValue::from_str(&basic("someone", "x")).unwrap(),
        );
        assert!(matches!(
            check_upgrade("/CB1", &map, &policy(None)),
            HandshakeDecision::Accept { .. }
        ));
    }
}
