//! The error bodies of the real service (REFERENCE.md section 5), as the sandbox answers them.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use time::OffsetDateTime;

/// A refusal on its way back as an `Err`, boxed because answers are large.
pub struct Refused(Box<Response>);

impl From<Response> for Refused {
    fn from(answer: Response) -> Refused {
        Refused(Box::new(answer))
    }
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        *self.0
    }
}

/// What a call answers: `Err` when it refused.
pub type Answer = Result<Response, Refused>;

/// An Entra ID (AADSTS) error from the identity endpoints.
pub fn aad_error(status: StatusCode, error: &str, code: u32, text: &str) -> Response {
    let trace = uuid::Uuid::new_v4();
    let correlation = uuid::Uuid::new_v4();
    let ts = OffsetDateTime::now_utc();
    let stamp = format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}Z",
        ts.year(),
        u8::from(ts.month()),
        ts.day(),
        ts.hour(),
        ts.minute(),
        ts.second()
    );
    let body = json!({
        "error": error,
        "error_description": format!(
            "AADSTS{code}: {text} Trace ID: {trace} Correlation ID: {correlation} Timestamp: {stamp}"
        ),
        "error_codes": [code],
        "timestamp": stamp,
        "trace_id": trace.to_string(),
        "correlation_id": correlation.to_string(),
        "error_uri": format!("https://login.microsoftonline.com/error?code={code}"),
    });
    (status, Json(body)).into_response()
}

/// The identity endpoints' answer to a request without a parameter it needs.
pub fn missing_parameter(name: &str) -> Response {
    aad_error(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        900144,
        &format!("The request body must contain the following parameter: '{name}'."),
    )
}

/// Graph's answer to a caller without the right permission or role.
pub fn denied() -> Response {
    graph_error(
        StatusCode::FORBIDDEN,
        "Authorization_RequestDenied",
        "Insufficient privileges to complete the operation.",
    )
}

/// A Graph collection: `{"value": [...]}`.
pub fn collection(value: Vec<serde_json::Value>) -> Response {
    Json(json!({ "value": value })).into_response()
}

/// `201 Created` with the new object.
pub fn created(object: serde_json::Value) -> Response {
    (StatusCode::CREATED, Json(object)).into_response()
}

/// Graph's answer for an object that is not there.
pub fn resource_not_found(id: &str) -> Response {
    graph_error(
        StatusCode::NOT_FOUND,
        "Request_ResourceNotFound",
        &format!(
            "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
        ),
    )
}

/// Graph's answer to a missing or invalid token.
pub fn unauthorized(message: &str) -> Response {
    graph_error(
        StatusCode::UNAUTHORIZED,
        "InvalidAuthenticationToken",
        message,
    )
}

/// A Microsoft Graph error body.
pub fn graph_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({
        "error": {
            "code": code,
            "message": message,
            "innerError": {
                "date": super::clock::now_rfc3339(),
                "request-id": uuid::Uuid::new_v4().to_string(),
                "client-request-id": uuid::Uuid::new_v4().to_string(),
            }
        }
    });
    (status, Json(body)).into_response()
}

/// An injected HTTP failure; throttling and unavailability say when to come back.
pub fn injected(status: u16) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let mut r = graph_error(
        status,
        if status == StatusCode::TOO_MANY_REQUESTS {
            "TooManyRequests"
        } else {
            "ServiceUnavailable"
        },
        "Injected by the sandbox (--faults).",
    );
    if matches!(status.as_u16(), 429 | 503) {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    r
}
