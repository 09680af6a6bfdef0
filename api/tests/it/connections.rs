//! How many connections and sockets the api holds open, and for how long: an outside probe held
//! 900 connections with unfinished headers for 40 s and more, and opened sockets without end.

use crate::support;

use std::time::Duration;

use serde_json::{Value, json};
use support::{TestApp, settings_with, ws};
use test_support::TestDb;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpSocket, TcpStream},
};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// Reads until the server closes (`true`) or `wait` passes (`false`).
async fn closed_within(stream: &mut TcpStream, wait: Duration) -> bool {
    let mut buffer = [0u8; 1024];
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
            Err(_) => return false,
        }
    }
}

#[tokio::test]
async fn a_connection_that_sends_no_whole_header_is_closed() {
    let t = TestDb::sqlite().await;
    let app = TestApp::start_with(&settings_with(
        &t.url,
        &[("MINSHENG_HEADER_TIMEOUT_MS", "300")],
    ))
    .await;
    let mut slow = Vec::new();
    for _ in 0..20 {
        let mut stream = TcpStream::connect(app.address).await.expect("connect");
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            .await
            .expect("half a request");
        slow.push(stream);
    }
    for stream in &mut slow {
        assert!(
            closed_within(stream, Duration::from_secs(10)).await,
            "a connection with unfinished headers stayed open"
        );
    }
    assert_eq!(
        app.status("/healthz").await,
        200,
        "whole requests are served"
    );
}

/// A body sent a byte at a time is cut off at MINSHENG_BODY_TIMEOUT_MS (and a second for the
/// 16 KB it declares): answered 408 and the connection closed, while whole requests beside it are served at once. (A probe held 1,100
/// connections this way for 130 s and more.)
#[tokio::test]
async fn a_body_that_does_not_arrive_in_time_is_answered_408_and_closed() {
    let t = TestDb::sqlite().await;
    let app = TestApp::start_with(&settings_with(
        &t.url,
        &[("MINSHENG_BODY_TIMEOUT_MS", "1000")],
    ))
    .await;
    let mut stream = TcpStream::connect(app.address).await.expect("connect");
    stream
        .write_all(
            b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 20000\r\n\r\n{",
        )
        .await
        .expect("headers");
    let dribble = async {
        // A byte every 200 ms: never idle for long, never done.
        for _ in 0..50 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            if stream.write_all(b" ").await.is_err() {
                break;
            }
        }
    };
    let beside = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let started = std::time::Instant::now();
        let status = app.status("/healthz").await;
        (status, started.elapsed())
    };
    let started = std::time::Instant::now();
    let ((), (status, took)) = tokio::join!(
        async {
            tokio::time::timeout(Duration::from_secs(4), dribble)
                .await
                .ok();
        },
        beside
    );
    assert_eq!(status, 200);
    assert!(
        took < Duration::from_secs(1),
        "an ordinary request took {took:?}"
    );
    let mut answer = Vec::new();
    let closed =
        tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        matches!(closed, Ok(Ok(_))),
        "the connection was closed: {closed:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(8));

    // A slow but steady body (40 KB in 2 s, past the 1 s timeout but within its second per
    // 16 KB) is read and answered, as a spreadsheet sent from a slow line must be.
    let body = format!(
        "{{\"query\":\"{{ lists {{ id }} }}{}\"}}",
        " ".repeat(40_000 - 28)
    );
    assert_eq!(body.len(), 40_000);
    let mut steady = TcpStream::connect(app.address).await.expect("connect");
    steady
        .write_all(
            format!("POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: {}\r\n\r\n", body.len())
                .as_bytes(),
        )
        .await
        .expect("headers");
    for chunk in body.as_bytes().chunks(4_000) {
        tokio::time::sleep(Duration::from_millis(200)).await;
        steady.write_all(chunk).await.expect("a steady chunk");
    }
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), steady.read_to_end(&mut answer))
        .await
        .expect("answered")
        .expect("read");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"lists\""), "{answer}");
}

#[tokio::test]
async fn connections_past_the_cap_wait_for_a_free_one() {
    let t = TestDb::sqlite().await;
    let app = TestApp::start_with(&settings_with(
        &t.url,
        &[
            ("MINSHENG_MAX_CONNECTIONS", "2"),
            ("MINSHENG_HEADER_TIMEOUT_MS", "60000"),
        ],
    ))
    .await;
    let first = TcpStream::connect(app.address).await.expect("connect");
    let second = TcpStream::connect(app.address).await.expect("connect");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let url = app.url("/healthz");
    let waiting = tokio::spawn(async move { reqwest::get(url).await.map(|r| r.status().as_u16()) });
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !waiting.is_finished(),
        "a third connection was served while two were held"
    );
    drop(first);
    let status = tokio::time::timeout(Duration::from_secs(10), waiting)
        .await
        .expect("served once a connection closed")
        .expect("task")
        .expect("response");
    assert_eq!(status, 200);
    drop(second);
}

/// A WebSocket handshake from `local` (any 127.x address is this machine): the HTTP status.
async fn handshake_from(app: &TestApp, local: &str) -> (u16, Option<ws::Socket>) {
    let socket = TcpSocket::new_v4().expect("socket");
    socket
        .bind(format!("{local}:0").parse().expect("address"))
        .expect("bind");
    let stream = socket.connect(app.address).await.expect("connect");
    let mut request = format!("ws://{}/graphql/ws", app.address)
        .into_client_request()
        .expect("request");
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().expect("header"),
    );
    match tokio_tungstenite::client_async(request, tokio_tungstenite::MaybeTlsStream::Plain(stream))
        .await
    {
        Ok((socket, response)) => (response.status().as_u16(), Some(socket)),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            (response.status().as_u16(), None)
        }
        Err(e) => panic!("handshake: {e}"),
    }
}

#[tokio::test]
async fn websockets_are_capped_per_client_and_in_all() {
    let t = TestDb::sqlite().await;
    let app = TestApp::start_with(&settings_with(
        &t.url,
        &[
            ("MINSHENG_WS_MAX_SOCKETS_PER_CLIENT", "2"),
            ("MINSHENG_WS_MAX_SOCKETS", "3"),
        ],
    ))
    .await;
    let (status, a) = handshake_from(&app, "127.0.0.1").await;
    assert_eq!(status, 101);
    let (status, _b) = handshake_from(&app, "127.0.0.1").await;
    assert_eq!(status, 101);
    let (status, _) = handshake_from(&app, "127.0.0.1").await;
    assert_eq!(status, 429, "a third socket from one address");
    let (status, _c) = handshake_from(&app, "127.0.0.2").await;
    assert_eq!(status, 101, "another address still may");
    let (status, _) = handshake_from(&app, "127.0.0.3").await;
    assert_eq!(status, 503, "a fourth socket in all");
    // A socket that closes gives its place back.
    drop(a);
    let mut reopened = 0;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let (status, socket) = handshake_from(&app, "127.0.0.1").await;
        if status == 101 {
            reopened = status;
            drop(socket);
            break;
        }
    }
    assert_eq!(
        reopened, 101,
        "the closed socket's place was not given back"
    );
}

#[tokio::test]
async fn a_socket_runs_at_most_so_many_subscriptions() {
    let t = TestDb::sqlite().await;
    support::import_sample(&t).await;
    let app = TestApp::start_with(&settings_with(
        &t.url,
        &[("MINSHENG_WS_MAX_SUBSCRIPTIONS_PER_SOCKET", "2")],
    ))
    .await;
    let list = app.data("{ lists { id } }", Value::Null).await["lists"][0]["id"].clone();
    let (mut socket, ack) = ws::connect(&app, json!({})).await;
    assert_eq!(ack["type"], "connection_ack");
    let subscribe = |id: &str| {
        json!({ "id": id, "type": "subscribe", "payload": {
        "query": "subscription($list: ID!) { itemChanged(listId: $list) { kind } }", "variables": { "list": list } } })
    };
    ws::send(&mut socket, subscribe("one")).await;
    ws::send(&mut socket, subscribe("two")).await;
    ws::send(&mut socket, subscribe("three")).await;
    let refused = ws::next(&mut socket, Duration::from_secs(5))
        .await
        .expect("an answer");
    assert_eq!(refused["id"], "three", "{refused}");
    let errors = if refused["type"] == "error" {
        refused["payload"].clone()
    } else {
        refused["payload"]["errors"].clone()
    };
    assert_eq!(
        errors[0]["extensions"]["code"], "TOO_MANY_SUBSCRIPTIONS",
        "{refused}"
    );
    // Ending one makes room for another.
    ws::send(&mut socket, json!({ "id": "one", "type": "complete" })).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    while ws::next(&mut socket, Duration::from_millis(100))
        .await
        .is_some()
    {}
    ws::send(&mut socket, subscribe("four")).await;
    let quiet = ws::next(&mut socket, Duration::from_millis(500)).await;
    assert!(quiet.is_none(), "the fourth runs: {quiet:?}");
}

/// A WebSocket that never sends `connection_init` is closed with 4408 at
/// MINSHENG_WS_INIT_TIMEOUT_MS, and its place under the caps is free again: a probe filled the
/// 1,000-socket cap with such sockets and every browser then got 503.
#[tokio::test]
async fn a_socket_that_never_initialises_is_closed_with_4408() {
    let t = TestDb::sqlite().await;
    let app = TestApp::start_with(&settings_with(
        &t.url,
        &[
            ("MINSHENG_WS_INIT_TIMEOUT_MS", "300"),
            ("MINSHENG_WS_MAX_SOCKETS_PER_CLIENT", "2"),
        ],
    ))
    .await;
    let mut idle = Vec::new();
    for _ in 0..2 {
        let (status, socket) = handshake_from(&app, "127.0.0.1").await;
        assert_eq!(status, 101);
        idle.push(socket.expect("socket"));
    }
    for socket in &mut idle {
        assert_eq!(
            ws::next(socket, Duration::from_secs(5)).await,
            Some(json!({ "closed": 4408 }))
        );
    }
    drop(idle);
    tokio::time::sleep(Duration::from_millis(100)).await;
    // The places are free: an initialising socket is served.
    let (mut socket, ack) = ws::connect(&app, json!({})).await;
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    // An initialised socket is not closed at the timeout.
    assert_eq!(
        ws::next(&mut socket, Duration::from_millis(800)).await,
        None
    );
}
