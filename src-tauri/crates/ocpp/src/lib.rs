//! OCPP-J 1.6 for Ampwise: framing, typed messages and their validation.
//!
//! This crate is pure on purpose: it never touches a socket or an async runtime, so every message
//! type can be tested against the official JSON schemas and reused by the central system, the
//! gateway uplink and the simulators alike.

pub mod action;
pub mod decode;
pub mod error_code;
pub mod frame;
pub mod frame_parse;
pub mod message_id;
pub mod messages;
pub mod payload;
pub mod types;

pub use action::{Action, Initiator};
pub use decode::{decode_request, decode_response, unhandled_action, DecodeError};
pub use error_code::ErrorCode;
pub use frame::{Frame, MessageType};
pub use frame_parse::{parse_frame, FrameError};
pub use message_id::MessageId;
pub use payload::Payload;

/// The WebSocket subprotocol a charge point offers and the central system echoes (OCPP-J 1.6 §3).
pub const SUBPROTOCOL: &str = "ocpp1.6";

/// The port a charging manager listens on for OCPP 1.6J charge points unless configured otherwise.
pub const DEFAULT_CENTRAL_SYSTEM_PORT: u16 = 19520;
