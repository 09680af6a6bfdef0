//! Serving the router over HTTP/1.1, bounded: at most `MINSHENG_MAX_CONNECTIONS` connections at
//! once (more wait in the kernel's backlog), a connection that has not sent its request headers
//! within `MINSHENG_HEADER_TIMEOUT_MS` is closed, and each request knows its client's address
//! (for the WebSocket caps). On shutdown the listener closes, requests in flight finish, and the
//! connections close.
//!
//! axum's own `serve` has no header timeout (hyper's needs a timer, which it does not give) and
//! no connection cap: an outside probe held 900 connections open with unfinished headers.

use std::{convert::Infallible, sync::Arc, time::Duration};

use axum::{Router, extract::ConnectInfo};
use hyper::{body::Incoming, server::conn::http1, service::service_fn};
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
        let service = service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(remote));
            let request = request.map(axum::body::Body::new);
            let router = router.clone();
            async move {
                let response = router.oneshot(request).await;
                Ok::<_, Infallible>(response.unwrap_or_else(|never| match never {}))
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
