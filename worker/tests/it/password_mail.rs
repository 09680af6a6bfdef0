//! Password links by email, through a real SMTP server on both engines: an administrator's
//! request becomes one email with a working one-time link, made when the email goes (its
//! lifetime counts from then), sent once however many workers run; the link shown at the
//! account's creation stops working; a mailbox refused for good is not retried.

use crate::support::{SmtpServer, context, parse_mail, settings_with};

use chrono::Utc;
use domain::{
    DomainError,
    account::{DisplayName, Login, Password},
    email::EmailAddress,
    model::NoticeStatus,
    store::{
        account::{self, NewAccount, links::LinkRefused, mail},
        audit::Actor,
        unit_of_work::Change,
    },
};
use entity::{password_link, password_mail};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use test_support::{TestDb, backend_tests};
use worker::password_mail::deliver;

const PUBLIC: &str = "https://minsheng.example.gov.cn";

fn by_admin(now: chrono::DateTime<Utc>) -> Change {
    Change {
        actor: Actor::account(1, "张三", domain::account::Role::Admin),
        now,
    }
}

async fn new_account(t: &TestDb, login: &str, email: Option<&str>) -> (i64, String) {
    let (created, link) = account::create(
        &t.db,
        NewAccount {
            login: Login::parse(login).expect("a login"),
            name: DisplayName::parse("李四").expect("a name"),
            role: domain::account::Role::Clerk,
            department_id: None,
            email: email.map(|e| EmailAddress::parse(e).expect("an address")),
        },
        chrono::Duration::hours(72),
        &by_admin(Utc::now()),
    )
    .await
    .expect("created");
    (created.id, link.secret)
}

/// The one-time link's secret in a mail's text.
fn secret_in(text: &str) -> String {
    let start = text
        .find(&format!("{PUBLIC}/#/password/"))
        .expect("the link to the api's page");
    text[start..]
        .split_whitespace()
        .next()
        .expect("the link")
        .rsplit('/')
        .next()
        .expect("its secret")
        .to_owned()
}

async fn a_requested_link_is_mailed_once_and_works(t: TestDb) {
    let smtp = SmtpServer::start();
    let settings = settings_with(
        &t.url,
        smtp.port,
        None,
        &[
            ("MINSHENG_PUBLIC_URL", PUBLIC),
            ("MINSHENG_OFFICE_CONTACT", "市委督查室 电话 0530-1234567"),
        ],
    );
    let (id, shown) = new_account(&t, "lisi", Some("lisi@example.gov.cn")).await;
    // Asked for long ago (a worker that was down for days): the link's hours count from the
    // sending, not from the request.
    let asked = Utc::now() - chrono::Duration::days(10);
    let (_, requested) = mail::request(&t.db, id, "id", &by_admin(asked))
        .await
        .expect("requested");
    assert_eq!(requested.to, "lisi@example.gov.cn");

    // Two workers at once: one email.
    let (a, b) = (context(&t.db, &settings), context(&t.db, &settings));
    let (sent_a, sent_b) = tokio::join!(deliver(&a), deliver(&b));
    assert_eq!(sent_a.expect("runs") + sent_b.expect("runs"), 1);
    assert_eq!(deliver(&a).await.expect("runs"), 0, "sent once");
    let received = smtp.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].envelope_to, ["lisi@example.gov.cn"]);
    let message = parse_mail(&received[0]);
    assert_eq!(message.subject, "【民生实事督办】请设置您的登录密码");
    for words in [
        "李四：",
        "张三为您开通了",
        "登录名：lisi",
        "角色：督查员",
        "市委督查室 电话 0530-1234567",
    ] {
        assert!(message.text.contains(words), "{words}: {}", message.text);
    }
    let secret = secret_in(&message.text);
    assert!(message.html.contains(&secret), "the HTML part links it too");

    let link = password_link::Entity::find()
        .filter(password_link::Column::AccountId.eq(id))
        .filter(password_link::Column::UsedAt.is_null())
        .one(&t.db)
        .await
        .expect("reads")
        .expect("the mailed link");
    assert!(
        (link.created_at - Utc::now()).num_seconds().abs() < 60,
        "made at sending"
    );
    assert_eq!(
        link.expires_at - link.created_at,
        chrono::Duration::hours(72)
    );

    // The link shown when the account was made was replaced; the mailed one works, once.
    let password = || Password::parse("一个足够长的新密码abc").expect("a password");
    assert_eq!(
        account::links::set_password(&t.db, &shown, password(), Utc::now())
            .await
            .expect("runs"),
        Err(LinkRefused::Invalid)
    );
    let set = account::links::set_password(&t.db, &secret, password(), Utc::now())
        .await
        .expect("runs")
        .expect("the mailed link sets the password");
    assert_eq!(set.login, "lisi");
    assert_eq!(
        account::links::set_password(&t.db, &secret, password(), Utc::now())
            .await
            .expect("runs"),
        Err(LinkRefused::Invalid)
    );

    // Now a reset: the words say so.
    mail::request(&t.db, id, "id", &by_admin(Utc::now()))
        .await
        .expect("requested");
    assert_eq!(deliver(&a).await.expect("runs"), 1);
    let reset = parse_mail(&smtp.received()[1]);
    assert_eq!(reset.subject, "【民生实事督办】重设登录密码");
    assert!(reset.text.contains("重设密码"), "{}", reset.text);
}

async fn requests_that_cannot_be_mailed_are_refused_or_given_up(t: TestDb) {
    let smtp = SmtpServer::start_refusing(&["gone@example.gov.cn"]);
    let settings = settings_with(&t.url, smtp.port, None, &[("MINSHENG_PUBLIC_URL", PUBLIC)]);
    let ctx = context(&t.db, &settings);

    let (no_email, _) = new_account(&t, "wangwu", None).await;
    match mail::request(&t.db, no_email, "id", &by_admin(Utc::now())).await {
        Err(DomainError::Validation { field, message }) => {
            assert_eq!(field, "id");
            assert!(message.contains("没有登记电子邮箱"), "{message}");
        }
        other => panic!("an account without an email: {other:?}"),
    }

    // Disabled after the request, before the sending: nothing goes.
    let (quitting, _) = new_account(&t, "zhaoliu", Some("zhaoliu@example.gov.cn")).await;
    mail::request(&t.db, quitting, "id", &by_admin(Utc::now()))
        .await
        .expect("requested");
    account::set_disabled(&t.db, quitting, true, &by_admin(Utc::now()))
        .await
        .expect("disabled");
    assert_eq!(deliver(&ctx).await.expect("runs"), 0);
    assert!(smtp.received().is_empty());
    match mail::request(&t.db, quitting, "id", &by_admin(Utc::now())).await {
        Err(DomainError::Validation { message, .. }) => {
            assert!(message.contains("已停用"), "{message}")
        }
        other => panic!("a disabled account: {other:?}"),
    }

    // A mailbox refused for good: failed at once, with the server's reason, and not retried.
    let (gone, _) = new_account(&t, "gone", Some("gone@example.gov.cn")).await;
    mail::request(&t.db, gone, "id", &by_admin(Utc::now()))
        .await
        .expect("requested");
    assert_eq!(deliver(&ctx).await.expect("runs"), 0);
    let row = password_mail::Entity::find()
        .filter(password_mail::Column::AccountId.eq(gone))
        .one(&t.db)
        .await
        .expect("reads")
        .expect("the request");
    assert_eq!(row.status, NoticeStatus::Failed);
    assert!(
        row.last_error.as_deref().unwrap_or("").contains("550")
            || row.last_error.as_deref().unwrap_or("").contains("rejected"),
        "{:?}",
        row.last_error
    );
    let statuses: Vec<NoticeStatus> = password_mail::Entity::find()
        .all(&t.db)
        .await
        .expect("reads")
        .into_iter()
        .map(|r| r.status)
        .collect();
    assert!(statuses.contains(&NoticeStatus::Skipped), "{statuses:?}");
    assert!(!statuses.contains(&NoticeStatus::Pending), "{statuses:?}");
}

backend_tests!(
    a_requested_link_is_mailed_once_and_works,
    requests_that_cannot_be_mailed_are_refused_or_given_up,
);
