//! A graphql-transport-ws client over a real WebSocket (tokio-tungstenite).

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream, connect_async,
    tungstenite::{Message, client::IntoClientRequest, http::HeaderValue},
};

use super::TestApp;

pub type Socket = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

/// Connects, sends `connection_init` with `payload`, and returns the socket with the server's
/// first answer.
pub async fn connect(app: &TestApp, payload: Value) -> (Socket, Value) {
    let mut request = format!("ws://{}/graphql/ws", app.address)
        .into_client_request()
        .expect("request");
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    let (mut socket, response) = connect_async(request).await.expect("WebSocket handshake");
    assert_eq!(
        response.headers()["sec-websocket-protocol"],
        "graphql-transport-ws"
    );
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": payload }),
    )
    .await;
    let answer = next(&mut socket, Duration::from_secs(5))
        .await
        .unwrap_or(Value::Null);
    (socket, answer)
}

pub async fn send(socket: &mut Socket, message: Value) {
    socket
        .send(Message::Text(message.to_string().into()))
        .await
        .expect("send");
}

/// The next JSON message within `wait`; `{"closed": code}` when the server closed.
pub async fn next(socket: &mut Socket, wait: Duration) -> Option<Value> {
    loop {
        let message = tokio::time::timeout(wait, socket.next()).await.ok()??;
        match message {
            Ok(Message::Text(text)) => return serde_json::from_str(&text).ok(),
            Ok(Message::Close(frame)) => {
                return Some(json!({ "closed": frame.map(|f| u16::from(f.code)) }));
            }
            Ok(_) => continue,
            Err(_) => return Some(json!({ "closed": null })),
        }
    }
}
