//! A deadline on request bodies: actix times out only the request head, so a client that sends
//! `Content-Length: 100` and one byte would hold its connection (and a file descriptor) forever.

use std::cell::Cell;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::dev::{Service, Transform, forward_ready};
use actix_web::error::PayloadError;
use actix_web::http::StatusCode;
use actix_web::http::header::HeaderMap;
use actix_web::web::Bytes;
use actix_web::{Error, ResponseError};
use futures_util::future::{Either, LocalBoxFuture, MapOk, Ready, ready};
use futures_util::{Stream, TryFutureExt};
use tokio::time::Sleep;

use super::ApiError;

/// The body stream, failing once the deadline passes before it ends.
struct Deadline {
    inner: Payload,
    sleep: Pin<Box<Sleep>>,
    expired: Rc<Cell<bool>>,
}

impl Stream for Deadline {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Poll::Ready(item) = Pin::new(&mut self.inner).poll_next(cx) {
            return Poll::Ready(item);
        }
        if self.sleep.as_mut().poll(cx).is_ready() {
            self.expired.set(true);
            let e = std::io::Error::new(std::io::ErrorKind::TimedOut, "request body deadline");
            return Poll::Ready(Some(Err(PayloadError::Io(e))));
        }
        Poll::Pending
    }
}

/// Whether the head announces a body: requests without one keep their empty payload untouched.
fn has_body(headers: &HeaderMap) -> bool {
    let length = headers
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    length.is_some_and(|n| n > 0) || headers.contains_key(actix_web::http::header::TRANSFER_ENCODING)
}

/// Gives the body `limit` from the moment the head arrived. Late, whichever extractor was
/// reading it, the answer is 408 `{"message"}`, and the connection closes (its body is unread).
/// A hand-written middleware rather than `from_fn`: requests without a body (most of them) go
/// straight to the service, with no boxed future and no timer.
#[derive(Clone, Copy)]
pub struct BodyDeadline {
    pub limit: Duration,
}

impl<S, B> Transform<S, ServiceRequest> for BodyDeadline
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = BodyDeadlineService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(BodyDeadlineService {
            service,
            limit: self.limit,
        }))
    }
}

pub struct BodyDeadlineService<S> {
    service: S,
    limit: Duration,
}

type Answer<B> = Result<ServiceResponse<EitherBody<B>>, Error>;

impl<S, B> Service<ServiceRequest> for BodyDeadlineService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    #[allow(clippy::type_complexity)]
    type Future = Either<
        MapOk<S::Future, fn(ServiceResponse<B>) -> ServiceResponse<EitherBody<B>>>,
        LocalBoxFuture<'static, Answer<B>>,
    >;

    forward_ready!(service);

    fn call(&self, mut req: ServiceRequest) -> Self::Future {
        if !has_body(req.headers()) {
            let left: fn(ServiceResponse<B>) -> ServiceResponse<EitherBody<B>> = ServiceResponse::map_into_left_body;
            return Either::Left(self.service.call(req).map_ok(left));
        }
        let expired = Rc::new(Cell::new(false));
        let (_, payload) = req.parts_mut();
        let inner = std::mem::replace(payload, Payload::None);
        req.set_payload(Payload::Stream {
            payload: Box::pin(Deadline {
                inner,
                sleep: Box::pin(tokio::time::sleep(self.limit)),
                expired: expired.clone(),
            }),
        });
        let answer = self.service.call(req);
        let limit = self.limit;
        Either::Right(Box::pin(async move {
            let res = answer.await?;
            if !expired.get() {
                return Ok(res.map_into_left_body());
            }
            let message = format!("request body did not arrive within {} ms", limit.as_millis());
            let mut timeout = ApiError::new(StatusCode::REQUEST_TIMEOUT, message).error_response();
            timeout
                .head_mut()
                .set_connection_type(actix_web::http::ConnectionType::Close);
            Ok(res.into_response(timeout).map_into_right_body())
        }))
    }
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::{CONTENT_LENGTH, HeaderValue, TRANSFER_ENCODING};

    use super::*;

    #[test]
    fn only_requests_with_a_body_get_a_deadline() {
        let mut headers = HeaderMap::new();
        assert!(!has_body(&headers));
        headers.insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
        assert!(!has_body(&headers));
        headers.insert(CONTENT_LENGTH, HeaderValue::from_static("100"));
        assert!(has_body(&headers));
        let mut chunked = HeaderMap::new();
        chunked.insert(TRANSFER_ENCODING, HeaderValue::from_static("chunked"));
        assert!(has_body(&chunked));
    }
}
