//! A real SMTP server inside the test, and a worker context pointed at it.

use std::{
    io,
    net::{IpAddr, TcpListener},
    sync::{Arc, Mutex},
};

use chrono::{DateTime, Utc};
use domain::{
    Settings,
    listdoc::{ParseOptions, parse},
    reminder::Policy,
    store::{
        audit::Actor,
        list_import::{ImportOptions, import},
    },
};
use mailin_embedded::{Handler, Response, Server, response};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use worker::{
    jobs::{
        send_bulletin::BulletinTarget,
        send_reminders::{AckLinks, Context, FooterSettings},
    },
    mailer::Mailer,
};

pub const SAMPLE: &str = include_str!("../../../../examples/sample-list.txt");

/// A message as the SMTP server received it.
#[derive(Clone, Debug, Default)]
pub struct Received {
    pub envelope_to: Vec<String>,
    pub data: Vec<u8>,
}

#[derive(Clone)]
struct Collector {
    current: Received,
    inbox: Arc<Mutex<Vec<Received>>>,
    /// Mailboxes refused for good (550), as a real server refuses an unknown user.
    refused: Arc<Vec<String>>,
}

impl Handler for Collector {
    fn helo(&mut self, _ip: IpAddr, _domain: &str) -> Response {
        response::OK
    }
    fn mail(&mut self, _ip: IpAddr, _domain: &str, _from: &str) -> Response {
        response::OK
    }
    fn rcpt(&mut self, to: &str) -> Response {
        if self.refused.iter().any(|r| to.contains(r.as_str())) {
            // As real servers answer: naming the address they refuse.
            Response::custom(550, format!("5.1.1 {to}: Recipient address rejected"))
        } else {
            response::OK
        }
    }
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.current = Received {
            envelope_to: to.to_vec(),
            data: Vec::new(),
        };
        response::OK
    }
    fn data(&mut self, buf: &[u8]) -> io::Result<()> {
        self.current.data.extend_from_slice(buf);
        Ok(())
    }
    fn data_end(&mut self) -> Response {
        if let Ok(mut inbox) = self.inbox.lock() {
            inbox.push(std::mem::take(&mut self.current));
        }
        response::OK
    }
}

/// An SMTP server on a free loopback port; it runs until the test process ends.
pub struct SmtpServer {
    pub port: u16,
    inbox: Arc<Mutex<Vec<Received>>>,
}

impl SmtpServer {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind SMTP");
        Self::start_on(listener)
    }

    pub fn start_on(listener: TcpListener) -> Self {
        Self::serve(listener, Vec::new())
    }

    /// A server that answers 550 (no such mailbox) for the addresses in `refused`.
    pub fn start_refusing(refused: &[&str]) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind SMTP");
        Self::serve(listener, refused.iter().map(|r| (*r).to_owned()).collect())
    }

    fn serve(listener: TcpListener, refused: Vec<String>) -> Self {
        let port = listener.local_addr().expect("address").port();
        let inbox = Arc::new(Mutex::new(Vec::new()));
        let mut server = Server::new(Collector {
            current: Received::default(),
            inbox: Arc::clone(&inbox),
            refused: Arc::new(refused),
        });
        // A thread per connection, for at most this many at once. lettre may open a connection
        // beyond its pool's size while another is being parked, and an idle pooled connection
        // holds its thread: with mailin's default of 4, a run of 4 concurrent sends now and then
        // waited 30 s for a thread.
        server
            .with_name("smtp.test")
            .with_num_threads(16)
            .with_tcp_listener(listener);
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        Self { port, inbox }
    }

    pub fn received(&self) -> Vec<Received> {
        self.inbox.lock().map(|i| i.clone()).unwrap_or_default()
    }
}

/// A free port with nothing listening on it (an SMTP outage).
pub fn dead_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}

pub fn settings(database_url: &str, smtp_port: u16, supervisor: Option<&str>) -> Settings {
    settings_with(database_url, smtp_port, supervisor, &[])
}

pub fn settings_with(
    database_url: &str,
    smtp_port: u16,
    supervisor: Option<&str>,
    extra: &[(&str, &str)],
) -> Settings {
    let mut vars: Vec<(&str, String)> = vec![
        ("DATABASE_URL", database_url.to_owned()),
        ("MINSHENG_SMTP_URL", format!("smtp://127.0.0.1:{smtp_port}")),
        (
            "MINSHENG_MAIL_FROM",
            "重点民生项目提醒 <minsheng@example.gov.cn>".to_owned(),
        ),
        (
            "MINSHENG_SUPERVISOR_EMAIL",
            supervisor.unwrap_or_default().to_owned(),
        ),
    ];
    vars.extend(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
    Settings::load_from(&|key| vars.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone()))
        .expect("settings")
}

pub fn context(db: &DatabaseConnection, settings: &Settings) -> Context {
    Context {
        db: db.clone(),
        mailer: Mailer::from_settings(settings, 4).expect("mailer"),
        from: settings.mail_from.clone(),
        policy: Policy::from_settings(&settings.reminders, None),
        timezone: settings.timezone,
        send_concurrency: 4,
        ack_links: AckLinks::from_settings(&settings.supervision),
        bulletin: BulletinTarget::from_settings(settings).expect("bulletin settings"),
        footer: FooterSettings::from_settings(settings),
        password_links: worker::password_mail::LinkSettings::from_settings(settings),
    }
}

pub fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339)
        .expect("instant")
        .with_timezone(&Utc)
}

/// Imports a list and gives every department one contact, `<department id>@dept.example.cn`.
pub async fn import_with_contacts(db: &DatabaseConnection, text: &str) {
    let parsed = parse(text, &ParseOptions::default());
    let options = ImportOptions {
        issuer: None,
        actor: Actor::system("test"),
        now: at("2021-01-01T00:00:00Z"),
    };
    import(db, text, &parsed, &options).await.expect("import");
    db.execute_unprepared(
        "INSERT INTO department_contact (department_id, person_name, email, active, created_at, updated_at) \
         SELECT id, '联系人', 'd' || id || '@dept.example.cn', true, '2021-01-01T00:00:00Z', '2021-01-01T00:00:00Z' FROM department \
         WHERE id NOT IN (SELECT department_id FROM department_contact)",
    )
    .await
    .expect("contacts");
}

/// A message parsed back: (to, cc, subject, text part, html part, message id).
pub struct Mail {
    pub to: String,
    pub cc: Option<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub message_id: String,
    pub has_date: bool,
    pub from: String,
}

pub fn parse_mail(received: &Received) -> Mail {
    let message = mail_parser::MessageParser::new()
        .parse(&received.data)
        .expect("a parsable message");
    let first = |list: Option<&mail_parser::Address<'_>>| {
        list.and_then(|l| l.first())
            .and_then(|a| a.address())
            .map(str::to_owned)
    };
    Mail {
        to: first(message.to()).unwrap_or_default(),
        cc: first(message.cc()),
        from: first(message.from()).unwrap_or_default(),
        subject: message.subject().unwrap_or_default().to_owned(),
        text: message
            .body_text(0)
            .map(|t| t.into_owned())
            .unwrap_or_default(),
        html: message
            .body_html(0)
            .map(|t| t.into_owned())
            .unwrap_or_default(),
        message_id: message.message_id().unwrap_or_default().to_owned(),
        has_date: message.date().is_some(),
    }
}
