//! The server's one error type. Variants mean something to a caller; `Internal` keeps its cause
//! for the log and shows the caller nothing of it. Converts to the shared [`ApiError`] wire
//! form and to an HTTP response in exactly one place each.

use axum::response::{IntoResponse, Response};
use shared::{ApiError, ErrorCode};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Api(ApiError),
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("internal: {0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Api(ApiError::invalid(field, message))
    }

    fn code(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::Api(ApiError::new(code, message))
    }

    /// Not found, or not visible to the caller (never a hint that it exists).
    pub fn not_found() -> Self {
        Self::code(ErrorCode::NotFound, "Not found.")
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::code(ErrorCode::Forbidden, message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::code(ErrorCode::Conflict, message)
    }

    pub fn invalid_credentials(message: impl Into<String>) -> Self {
        Self::code(ErrorCode::InvalidCredentials, message)
    }

    pub fn bad_origin(message: impl Into<String>) -> Self {
        Self::code(ErrorCode::BadOrigin, message)
    }

    pub fn too_large(message: impl Into<String>) -> Self {
        Self::code(ErrorCode::PayloadTooLarge, message)
    }

    pub fn unsupported_media(message: impl Into<String>) -> Self {
        Self::code(ErrorCode::UnsupportedMediaType, message)
    }

    /// Was allowed, but the window for it has closed (editing, deleting for everyone).
    pub fn too_late(message: impl Into<String>) -> Self {
        Self::code(ErrorCode::TooLate, message)
    }

    pub fn quota_exceeded(message: impl Into<String>) -> Self {
        Self::code(ErrorCode::QuotaExceeded, message)
    }

    /// A budget is spent: the generic sentence.
    pub fn rate_limited() -> Self {
        Self::rate_limited_because("Too many attempts. Wait a minute and try again.")
    }

    /// A budget is spent: the sentence says which and what to do.
    pub fn rate_limited_because(message: impl Into<String>) -> Self {
        Self::code(ErrorCode::RateLimited, message)
    }
}

impl From<ApiError> for Error {
    fn from(error: ApiError) -> Self {
        Self::Api(error)
    }
}

impl From<Error> for ApiError {
    fn from(error: Error) -> Self {
        match error {
            Error::Api(api) => api,
            other => {
                tracing::error!(error = %other, "internal error");
                ApiError::internal()
            }
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        ApiError::from(self).into_response_parts()
    }
}

/// Turns the wire error into a JSON response with the status its code implies.
pub trait ApiErrorResponse {
    fn into_response_parts(self) -> Response;
}

impl ApiErrorResponse for ApiError {
    fn into_response_parts(self) -> Response {
        let status =
            http::StatusCode::from_u16(self.code.http_status()).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        (status, axum::Json(self)).into_response()
    }
}
