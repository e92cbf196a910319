//! The browser side's one error type: the wire [`ApiError`] plus the glue that lets server
//! functions return it. On the server, creating one also sets the HTTP status from its code.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};
use shared::{ApiError, ErrorCode};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AppError(pub ApiError);

impl AppError {
    pub fn code(&self) -> ErrorCode {
        self.0.code
    }

    /// The message to show a person.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    pub fn field(&self) -> Option<&str> {
        self.0.field.as_deref()
    }
}

impl From<ApiError> for AppError {
    fn from(error: ApiError) -> Self {
        #[cfg(feature = "ssr")]
        crate::backend::set_status(error.code);
        Self(error)
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let error = match value {
            ServerFnErrorErr::Args(detail) | ServerFnErrorErr::MissingArg(detail) => {
                ApiError::new(ErrorCode::InvalidInput, format!("Malformed request: {detail}"))
            }
            ServerFnErrorErr::Request(_) => {
                ApiError::new(ErrorCode::Internal, "Could not reach the server. Check your connection.")
            }
            // On the server this is a request body that does not parse; in the browser, an answer.
            ServerFnErrorErr::Deserialization(detail) if cfg!(feature = "ssr") => {
                ApiError::new(ErrorCode::InvalidInput, format!("Malformed request: {detail}"))
            }
            ServerFnErrorErr::Deserialization(_) => {
                ApiError::new(ErrorCode::Internal, "The server sent an answer this page does not understand. Reload.")
            }
            _ => ApiError::internal(),
        };
        error.into()
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for AppError {}
