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

    pub fn code(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::Api(ApiError::new(code, message))
    }

    pub fn not_found() -> Self {
        Self::code(ErrorCode::NotFound, "Not found.")
    }

    pub fn rate_limited() -> Self {
        Self::code(ErrorCode::RateLimited, "Too many attempts. Wait a minute and try again.")
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
