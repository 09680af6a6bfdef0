//! Serving the router over HTTP/1.1, bounded: at most `MINSHENG_MAX_CONNECTIONS` connections at
//! once (more wait in the kernel's backlog), a connection that has not sent its request headers
//! within `MINSHENG_HEADER_TIMEOUT_MS` is closed, a request whose body has not arrived whole
//! within `MINSHENG_BODY_TIMEOUT_MS` (and a second per 16 KB it declares) is answered 408 and its
//! connection closed, and each request
//! knows its client's address (for the WebSocket caps). On shutdown the listener closes,
//! requests in flight finish, and the connections close.
//!
//! axum's own `serve` has no header timeout (hyper's needs a timer, which it does not give) and
//! no connection cap: an outside probe held 900 connections open with unfinished headers. Nor
//! has hyper a body timeout: a second probe held 1,100 connections by sending a body a byte
//! every 2 s.

use std::{
    convert::Infallible,
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    task::{Context, Poll},
    time::Duration,
};

use axum::{
    Router,
    extract::ConnectInfo,
    http::{StatusCode, header},
    response::IntoResponse,
};
use hyper::{
    body::{Body, Frame, Incoming, SizeHint},
    server::conn::http1,
    service::service_fn,
};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::{
    net::TcpListener,
    sync::{Semaphore, watch},
};
use tower::ServiceExt;

/// How connections are bounded.
#[derive(Clone, Copy, Debug)]
pub struct ConnectionLimits {
    pub max_connections: usize,
    pub header_timeout: Duration,
    pub body_timeout: Duration,
}

/// Serves `router` on `listener` until `shutdown` completes, then lets requests in flight finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    // Dropped to tell every connection to finish; each holds a receiver until it has.
    let (stop, stopping) = watch::channel(());
    let (done, all_done) = watch::channel(());
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, typically: wait a moment rather than spin.
                    tracing::warn!(error = %e, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let body_timeout = limits.body_timeout;
        let service = service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(remote));
            let late = Arc::new(AtomicBool::new(false));
            let request = request.map(|body| {
                let allowed = body_allowance(body_timeout, body.size_hint().upper());
                axum::body::Body::new(TimedBody {
                    inner: body,
                    deadline: Box::pin(tokio::time::sleep(allowed)),
                    late: late.clone(),
                })
            });
            let router = router.clone();
            async move {
                let response = router.oneshot(request).await;
                let response = response.unwrap_or_else(|never| match never {});
                if late.load(Ordering::Relaxed) {
                    tracing::info!(%remote, "a request body did not arrive in time; closing its connection");
                    // `Connection: close` makes hyper close the connection once this is sent.
                    return Ok::<_, Infallible>(
                        (
                            StatusCode::REQUEST_TIMEOUT,
                            [(header::CONNECTION, "close")],
                            "request body timeout\n",
                        )
                            .into_response(),
                    );
                }
                Ok(response)
            }
        });
        let connection = http
            .serve_connection(TokioIo::new(stream), service)
            .with_upgrades();
        let mut stopping = stopping.clone();
        let done = done.clone();
        tokio::spawn(async move {
            tokio::pin!(connection);
            let mut told = false;
            loop {
                tokio::select! {
                    result = connection.as_mut() => {
                        if let Err(e) = result {
                            tracing::debug!(error = %e, %remote, "connection ended with an error");
                        }
                        break;
                    }
                    _ = stopping.changed(), if !told => {
                        told = true;
                        connection.as_mut().graceful_shutdown();
                    }
                }
            }
            drop(slot);
            drop(done);
        });
    }
    drop(listener);
    drop(stop);
    drop(done);
    // Every connection holds a clone of `done`: when the last one has finished, this returns.
    let mut all_done = all_done;
    let _ = all_done.changed().await;
    Ok(())
}

/// The slowest rate at which a declared body is still awaited beyond the body timeout: a
/// spreadsheet sent from a slow office line is not cut off, a byte every 2 s is.
const SLOWEST_BODY_BYTES_PER_SECOND: u64 = 16 * 1024;

/// How long a body of `declared` bytes (its `Content-Length`) may take to arrive: the body
/// timeout, and a second more for every 16 KB it declares.
fn body_allowance(timeout: Duration, declared: Option<u64>) -> Duration {
    timeout + Duration::from_secs(declared.unwrap_or(0) / SLOWEST_BODY_BYTES_PER_SECOND)
}

/// A request body that must arrive whole by its deadline; past it, reading it fails and `late`
/// tells the connection to answer 408 and close.
struct TimedBody {
    inner: Incoming,
    deadline: Pin<Box<tokio::time::Sleep>>,
    late: Arc<AtomicBool>,
}

impl Body for TimedBody {
    type Data = hyper::body::Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        if self.deadline.as_mut().poll(cx).is_ready() {
            self.late.store(true, Ordering::Relaxed);
            return Poll::Ready(Some(Err("the request body did not arrive in time".into())));
        }
        Pin::new(&mut self.inner).poll_frame(cx).map_err(Into::into)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
