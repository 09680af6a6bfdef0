//! A pooled SMTP connection that the server dropped is retried once on a fresh connection
//! (lettre issues #743 and #1027): no message is lost to a stale pooled connection.
//!
//! The server here is real SMTP over TCP, minimal on purpose: it closes any connection as soon as
//! a second transaction starts on it, as a server does when it times an idle connection out just
//! as the client reuses it.

use std::sync::{
    Arc, Mutex,
    atomic::{AtomicUsize, Ordering},
};

use lettre::Message;
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::{TcpListener, TcpStream},
};
use worker::mailer::Mailer;

#[derive(Default)]
struct Seen {
    connections: AtomicUsize,
    dropped: AtomicUsize,
    messages: Mutex<Vec<String>>,
    log: Mutex<Vec<String>>,
}

async fn serve(listener: TcpListener, seen: Arc<Seen>) {
    while let Ok((stream, _)) = listener.accept().await {
        let n = seen.connections.fetch_add(1, Ordering::SeqCst);
        tokio::spawn(session(n, stream, seen.clone()));
    }
}

/// One SMTP session that accepts one message, then drops the connection when the client starts
/// a second transaction on it.
async fn session(n: usize, stream: TcpStream, seen: Arc<Seen>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    write.write_all(b"220 fickle ESMTP\r\n").await?;
    let mut transactions = 0;
    while let Some(line) = lines.next_line().await? {
        let verb = line
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        if let Ok(mut log) = seen.log.lock() {
            log.push(format!("{n}: {verb}"));
        }
        let reply: &[u8] = match verb.as_str() {
            "EHLO" | "HELO" => b"250-fickle\r\n250 8BITMIME\r\n",
            "MAIL" => {
                transactions += 1;
                if transactions > 1 {
                    seen.dropped.fetch_add(1, Ordering::SeqCst);
                    return Ok(()); // closes the socket without a reply
                }
                b"250 OK\r\n"
            }
            "DATA" => {
                write.write_all(b"354 go ahead\r\n").await?;
                let mut body = String::new();
                while let Some(data) = lines.next_line().await? {
                    if data == "." {
                        break;
                    }
                    body.push_str(&data);
                    body.push('\n');
                }
                seen.messages
                    .lock()
                    .map_err(|_| std::io::Error::other("poisoned"))?
                    .push(body);
                b"250 queued\r\n"
            }
            "QUIT" => {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            _ => b"250 OK\r\n",
        };
        write.write_all(reply).await?;
    }
    Ok(())
}

fn message(n: usize) -> Message {
    Message::builder()
        .from("minsheng@example.gov.cn".parse().expect("from"))
        .to("lead@example.gov.cn".parse().expect("to"))
        .subject(format!("reminder {n}"))
        .body(format!("message {n}"))
        .expect("message")
}

#[tokio::test]
async fn a_pooled_connection_the_server_dropped_is_retried_once() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("address").port();
    let seen = Arc::new(Seen::default());
    tokio::spawn(serve(listener, seen.clone()));

    let smtp_url = format!("smtp://127.0.0.1:{port}");
    let settings =
        domain::Settings::load_from(&|key| (key == "MINSHENG_SMTP_URL").then(|| smtp_url.clone()))
            .expect("settings");
    // One pooled connection, so every send after the first reuses it.
    let mailer = Mailer::from_settings(&settings, 1).expect("mailer");
    for n in 1..=3 {
        mailer.send(&message(n)).await.unwrap_or_else(|e| {
            panic!(
                "message {n} was lost: {e} (connections {}, dropped {}, received {}) {:?}",
                seen.connections.load(Ordering::SeqCst),
                seen.dropped.load(Ordering::SeqCst),
                seen.messages.lock().map(|m| m.len()).unwrap_or_default(),
                seen.log.lock().map(|l| l.clone()).unwrap_or_default()
            )
        });
    }

    let messages = seen.messages.lock().expect("messages").clone();
    assert_eq!(messages.len(), 3, "each message arrived once: {messages:?}");
    for n in 1..=3 {
        assert_eq!(
            messages
                .iter()
                .filter(|m| m.contains(&format!("message {n}")))
                .count(),
            1
        );
    }
    // The reuse really happened and really failed: the server dropped a pooled connection
    // under the client at least once (how often depends on how the pool recycles).
    assert!(
        seen.dropped.load(Ordering::SeqCst) >= 1,
        "{:?}",
        seen.log.lock().map(|l| l.clone())
    );
}
