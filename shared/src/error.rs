//! The error every API answers with: a stable machine-readable `code` and a human `message`.
//!
//! Codes are part of the public API (docs/API.md): add new ones, never rename or reuse one.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Stable error codes, serialised in `snake_case`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The input was malformed or broke a rule; `field` says which input.
    InvalidInput,
    /// No valid session: log in first.
    Unauthorized,
    /// Username or password wrong (deliberately not saying which).
    InvalidCredentials,
    /// Logged in, but not allowed to do this.
    Forbidden,
    /// The thing does not exist, or the caller may not know that it does.
    NotFound,
    /// The request clashes with existing state (e.g. a taken username).
    Conflict,
    /// Too many attempts; try again later.
    RateLimited,
    /// The request body or frame is larger than allowed.
    PayloadTooLarge,
    /// The request came from a page on another origin.
    BadOrigin,
    /// An upload whose bytes are not a type we accept (decided by content, not by name).
    UnsupportedMediaType,
    /// The uploader's storage quota is used up; delete something first.
    QuotaExceeded,
    /// Allowed once, but too long ago: a message older than the edit or delete window.
    TooLate,
    /// Something failed on the server; details are in the server log, never in the answer.
    Internal,
}

impl ErrorCode {
    /// The HTTP status this code is answered with.
    pub fn http_status(self) -> u16 {
        match self {
            Self::InvalidInput => 400,
            Self::Unauthorized | Self::InvalidCredentials => 401,
            Self::Forbidden | Self::BadOrigin | Self::TooLate => 403,
            Self::NotFound => 404,
            Self::Conflict => 409,
            Self::PayloadTooLarge | Self::QuotaExceeded => 413,
            Self::UnsupportedMediaType => 415,
            Self::RateLimited => 429,
            Self::Internal => 500,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidInput => "invalid_input",
            Self::Unauthorized => "unauthorized",
            Self::InvalidCredentials => "invalid_credentials",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::Conflict => "conflict",
            Self::RateLimited => "rate_limited",
            Self::PayloadTooLarge => "payload_too_large",
            Self::BadOrigin => "bad_origin",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::QuotaExceeded => "quota_exceeded",
            Self::TooLate => "too_late",
            Self::Internal => "internal",
        }
    }

    /// Parses the wire form; unknown codes become `Internal` so old clients keep working.
    pub fn parse(code: &str) -> Self {
        const ALL: [ErrorCode; 13] = [
            ErrorCode::InvalidInput,
            ErrorCode::Unauthorized,
            ErrorCode::InvalidCredentials,
            ErrorCode::Forbidden,
            ErrorCode::NotFound,
            ErrorCode::Conflict,
            ErrorCode::RateLimited,
            ErrorCode::PayloadTooLarge,
            ErrorCode::BadOrigin,
            ErrorCode::UnsupportedMediaType,
            ErrorCode::QuotaExceeded,
            ErrorCode::TooLate,
            ErrorCode::Internal,
        ];
        ALL.into_iter().find(|c| c.as_str() == code).unwrap_or(Self::Internal)
    }
}

/// The body of every error answer and of the WebSocket `error` frame.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    /// The input the error is about, for forms that show errors next to the field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), field: None }
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self { code: ErrorCode::InvalidInput, message: message.into(), field: Some(field.to_owned()) }
    }

    pub fn unauthorized() -> Self {
        Self::new(ErrorCode::Unauthorized, "Please log in.")
    }

    pub fn internal() -> Self {
        Self::new(ErrorCode::Internal, "Something went wrong on our side. Please try again.")
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_through_their_wire_names() {
        for code in [ErrorCode::InvalidInput, ErrorCode::RateLimited, ErrorCode::BadOrigin, ErrorCode::TooLate] {
            let json = serde_json::to_string(&code).expect("serialise");
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert_eq!(ErrorCode::parse(code.as_str()), code);
        }
        assert_eq!(ErrorCode::parse("no_such_code"), ErrorCode::Internal);
    }

    #[test]
    fn field_is_omitted_when_absent() {
        let json = serde_json::to_string(&ApiError::unauthorized()).expect("serialise");
        assert_eq!(json, r#"{"code":"unauthorized","message":"Please log in."}"#);
    }
}
