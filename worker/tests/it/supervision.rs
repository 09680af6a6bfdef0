//! What the worker sends around the supervision cycle, through a real SMTP server on both
//! engines: the office hears of each 延期申请 once, the department of the decision and of an
//! item sent back; reminders say 延期申请审核中 while a request is pending, pause while an item
//! awaits sign-off, carry a signed 签收 link, and copy the supervisor when an overdue reminder
//! goes unacknowledged.

use crate::support;
use test_support::{date as day, lookup::department_id};

use domain::{
    acknowledgement,
    store::{
        audit::Actor,
        delivery::acknowledgements,
        item::{completion, extension},
        unit_of_work::Change,
    },
};
use entity::{item, item_due_date, reminder_delivery};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use support::{
    Mail, Received, SAMPLE, SmtpServer, at, context, import_with_contacts, parse_mail,
    settings_with,
};
use test_support::{TestDb, backend_tests};
use worker::jobs::send_reminders::run;

const SUPERVISOR: &str = "duchashi@example.gov.cn";
const KEY: &str = "worker-test-signing-key-0123456789abcdef";
/// 7 days before item 二 and item 五 are due (30 June 2023), 08:00 in Shanghai.
const T7: &str = "2023-06-23T08:00:00+08:00";

/// Item 二 (提升社区养老服务能力, led by 市民政局 and 市卫健委) and its active due date.
async fn item_two(t: &TestDb) -> (i64, i64) {
    let two = item::Entity::find()
        .filter(item::Column::Number.eq(2))
        .one(&t.db)
        .await
        .expect("query")
        .expect("item 二");
    let due = item_due_date::Entity::find()
        .filter(item_due_date::Column::ItemId.eq(two.id))
        .filter(item_due_date::Column::Active.eq(true))
        .one(&t.db)
        .await
        .expect("query")
        .expect("its due date");
    (two.id, due.id)
}

fn change(actor: &str, now: &str) -> Change {
    Change {
        actor: Actor::system(actor),
        now: at(now),
    }
}

fn mails(smtp: &SmtpServer) -> Vec<Mail> {
    smtp.received().iter().map(parse_mail).collect()
}

/// The link in a reminder's text, if any.
fn ack_link(text: &str) -> Option<&str> {
    text.lines()
        .map(str::trim)
        .find(|l| l.starts_with("https://minsheng.example.gov.cn/ack/"))
}

async fn the_office_hears_of_each_request_once_and_the_department_of_the_decision(t: TestDb) {
    import_with_contacts(&t.db, SAMPLE).await;
    let smtp = SmtpServer::start();
    let settings = settings_with(
        &t.url,
        smtp.port,
        Some(SUPERVISOR),
        &[
            ("MINSHENG_PUBLIC_URL", "https://minsheng.example.gov.cn/"),
            ("MINSHENG_SIGNING_KEY", KEY),
        ],
    );
    let ctx = context(&t.db, &settings);
    let civil = department_id(&t.db, "市民政局").await;
    let (two, due) = item_two(&t).await;
    extension::request(
        &t.db,
        &extension::NewRequest {
            item_id: two,
            due_date_id: due,
            proposed_due_on: day(2023, 9, 30),
            reason: "场地移交推迟".into(),
            progress_note: Some("已完成选址".into()),
        },
        Some(civil),
        day(2023, 6, 20),
        0,
        &change(&format!("department:{civil}"), "2023-06-20T10:00:00+08:00"),
    )
    .await
    .expect("request");

    let report = run(&ctx, at(T7)).await.expect("run");
    assert_eq!(
        (report.messages_sent, report.notices_sent),
        (4, 1),
        "{report:?}"
    );
    let all = mails(&smtp);
    let (office, reminders): (Vec<&Mail>, Vec<&Mail>) =
        all.iter().partition(|m| m.to == SUPERVISOR);
    assert_eq!(office.len(), 1);
    let office = office[0];
    assert_eq!(
        office.subject,
        "【延期申请】1项重点民生事项申请延期，请审核"
    );
    for expected in [
        "二、提升社区养老服务能力",
        "申请单位：市民政局",
        "原完成时限：2023年6月30日",
        "申请延期至：2023年9月30日",
        "申请理由：场地移交推迟",
        "当前进展：已完成选址",
    ] {
        assert!(
            office.text.contains(expected),
            "{expected} in {}",
            office.text
        );
    }
    // An HTML part too, as the reminders have: the same facts in a table.
    for expected in [
        "申请单位</th><td>市民政局</td>",
        "<td>市民政局</td>",
        "<td>2023年9月30日</td>",
        "<td>场地移交推迟</td>",
        "<td>已完成选址</td>",
    ] {
        assert!(
            office.html.contains(expected),
            "{expected} in {}",
            office.html
        );
    }
    // Reminders still go out for the item, and say the request is pending; item 五's do not.
    assert_eq!(reminders.len(), 4);
    for mail in &reminders {
        let about_two = mail.text.contains("二、提升社区养老服务能力");
        assert_eq!(
            mail.text.contains("（还剩7天） 延期申请审核中"),
            about_two,
            "{}",
            mail.text
        );
        assert_eq!(mail.html.contains("延期申请审核中"), about_two);
        // Every reminder carries its own signed 签收 link, naming its message.
        let link = ack_link(&mail.text).unwrap_or_else(|| panic!("a link in {}", mail.text));
        let token = link.rsplit('/').next().unwrap_or_default();
        let ack = acknowledgement::verify(KEY.as_bytes(), token, at(T7))
            .expect("a token the api accepts");
        // The run's `now` is in 2023; the link still works when the email is read today: its
        // days count from when it was sent.
        assert!(
            acknowledgement::verify(KEY.as_bytes(), token, chrono::Utc::now()).is_ok(),
            "a link dead on arrival: {link}"
        );
        assert!(
            ack.message_id.contains(&mail.message_id),
            "{ack:?} vs {}",
            mail.message_id
        );
        assert!(mail.html.contains("签收</a>"), "{}", mail.html);
    }

    // Told once: the next run sends the office nothing more.
    let again = run(&ctx, at("2023-06-23T12:00:00+08:00"))
        .await
        .expect("second run");
    assert_eq!((again.messages_sent, again.notices_sent), (0, 0));

    // The office grants another date; the department that asked hears of it, nobody else.
    let request = extension::list(
        &t.db,
        &extension::RequestFilter {
            item_id: Some(two),
            ..Default::default()
        },
        10,
    )
    .await
    .expect("requests")[0]
        .id;
    extension::decide(
        &t.db,
        request,
        &extension::Decision {
            approve: true,
            note: Some("同意,请倒排工期".into()),
            due_on: Some(day(2023, 8, 31)),
        },
        &change("admin", "2023-06-24T09:00:00+08:00"),
    )
    .await
    .expect("decide");
    let before = smtp.received().len();
    let report = run(&ctx, at("2023-06-24T10:00:00+08:00"))
        .await
        .expect("run after the decision");
    assert_eq!(report.notices_sent, 1, "{report:?}");
    let decided: Vec<Mail> = smtp.received()[before..].iter().map(parse_mail).collect();
    assert_eq!(decided.len(), 1);
    assert_eq!(decided[0].to, format!("d{civil}@dept.example.cn"));
    assert_eq!(
        decided[0].subject,
        "【延期申请审核结果】二、提升社区养老服务能力"
    );
    assert!(
        decided[0]
            .text
            .contains("审核结果：同意延期，完成时限调整为2023年8月31日"),
        "{}",
        decided[0].text
    );
    assert!(decided[0].text.contains("审核意见：同意,请倒排工期"));
    assert!(
        decided[0]
            .html
            .contains("<strong>同意延期，完成时限调整为2023年8月31日</strong>")
            && decided[0].html.contains("<td>同意,请倒排工期</td>"),
        "{}",
        decided[0].html
    );

    // Reminders follow the granted date, and no longer say a request is pending.
    let before = smtp.received().len();
    run(&ctx, at("2023-08-24T08:00:00+08:00"))
        .await
        .expect("T-7 of the granted date");
    let later: Vec<Mail> = smtp.received()[before..]
        .iter()
        .map(parse_mail)
        .filter(|m| m.text.contains("二、提升社区养老服务能力"))
        .collect();
    assert_eq!(later.len(), 2, "both lead departments of 二");
    for mail in &later {
        assert!(
            mail.text
                .lines()
                .any(|l| l.trim() == "完成时限：2023年8月31日（还剩7天）"),
            "{}",
            mail.text
        );
    }
}

async fn a_reported_item_is_quiet_until_it_is_sent_back(t: TestDb) {
    import_with_contacts(&t.db, SAMPLE).await;
    let smtp = SmtpServer::start();
    let ctx = context(&t.db, &settings_with(&t.url, smtp.port, None, &[]));
    let civil = department_id(&t.db, "市民政局").await;
    let health = department_id(&t.db, "市卫健委").await;
    let (two, _) = item_two(&t).await;
    completion::report(
        &t.db,
        two,
        "10处养老服务中心全部建成",
        Some(civil),
        &change(&format!("department:{civil}"), "2023-06-20T10:00:00+08:00"),
    )
    .await
    .expect("report");

    // At T-7 only item 五's lead departments hear; item 二 awaits sign-off.
    let report = run(&ctx, at(T7)).await.expect("run");
    assert_eq!(report.messages_sent, 2, "{report:?}");
    assert!(
        mails(&smtp)
            .iter()
            .all(|m| m.text.contains("五、建设口袋公园和城市绿道"))
    );

    // Sent back: its lead departments are told why, and its reminders resume.
    completion::return_item(
        &t.db,
        two,
        "验收材料不全,请补充照片",
        &change("admin", "2023-06-24T09:00:00+08:00"),
    )
    .await
    .expect("return");
    let before = smtp.received().len();
    let report = run(&ctx, at("2023-06-27T08:00:00+08:00"))
        .await
        .expect("T-3");
    assert_eq!(
        (report.messages_sent, report.notices_sent),
        (4, 2),
        "{report:?}"
    );
    let sent: Vec<Mail> = smtp.received()[before..].iter().map(parse_mail).collect();
    let returned: Vec<&Mail> = sent
        .iter()
        .filter(|m| m.subject.starts_with("【退办】"))
        .collect();
    let mut told: Vec<&str> = returned.iter().map(|m| m.to.as_str()).collect();
    told.sort_unstable();
    let mut leads = vec![
        format!("d{civil}@dept.example.cn"),
        format!("d{health}@dept.example.cn"),
    ];
    leads.sort();
    assert_eq!(told, leads);
    for mail in &returned {
        assert!(
            mail.text.contains("退办理由：验收材料不全,请补充照片"),
            "{}",
            mail.text
        );
        assert!(
            mail.html
                .contains("退办理由</th><td>验收材料不全,请补充照片</td>"),
            "{}",
            mail.html
        );
    }
    assert_eq!(
        sent.iter()
            .filter(|m| !m.subject.starts_with("【退办】"))
            .filter(|m| m.text.contains("二、提升社区养老服务能力"))
            .count(),
        2,
        "item 二's T-3 reminders: {:?}",
        sent.iter().map(|m| &m.text).collect::<Vec<_>>()
    );
    // No link without MINSHENG_PUBLIC_URL.
    assert!(
        sent.iter()
            .all(|m| ack_link(&m.text).is_none() && !m.text.contains("点击以下链接签收"))
    );
}

async fn unacknowledged_overdue_reminders_copy_the_supervisor(t: TestDb) {
    import_with_contacts(&t.db, SAMPLE).await;
    let smtp = SmtpServer::start();
    let settings = settings_with(
        &t.url,
        smtp.port,
        Some(SUPERVISOR),
        &[
            // Far off, so that only the acknowledgement rule can copy the supervisor.
            ("MINSHENG_ESCALATE_AFTER_DAYS", "100"),
            ("MINSHENG_ACK_ESCALATE_AFTER_DAYS", "2"),
            ("MINSHENG_PUBLIC_URL", "https://minsheng.example.gov.cn/"),
            ("MINSHENG_SIGNING_KEY", KEY),
        ],
    );
    let ctx = context(&t.db, &settings);
    // Overdue by a day (Saturday 1 July): nobody is copied yet.
    run(&ctx, at("2023-07-01T08:00:00+08:00"))
        .await
        .expect("overdue-1");
    let first = mails(&smtp);
    assert_eq!(first.len(), 4);
    assert!(first.iter().all(|m| m.cc.is_none()));
    // Item 五's contacts acknowledge theirs; item 二's do not.
    for mail in first
        .iter()
        .filter(|m| m.text.contains("五、建设口袋公园和城市绿道"))
    {
        let row = reminder_delivery::Entity::find()
            .filter(reminder_delivery::Column::MessageId.contains(mail.message_id.as_str()))
            .one(&t.db)
            .await
            .expect("query")
            .expect("its ledger row");
        let message = row.message_id.clone().unwrap_or_default();
        acknowledgements::acknowledge_message(&t.db, &message, at("2023-07-03T09:00:00+08:00"))
            .await
            .expect("acknowledge");
    }
    // A week later (more than two working days): 二's reminders copy the supervisor.
    run(&ctx, at("2023-07-08T08:00:00+08:00"))
        .await
        .expect("overdue-2");
    let (office, departments): (Vec<Received>, Vec<Received>) = smtp.received()[4..]
        .iter()
        .cloned()
        .partition(|r| r.envelope_to.iter().any(|to| to == SUPERVISOR));
    let second: Vec<Mail> = departments.iter().map(parse_mail).collect();
    assert_eq!(second.len(), 4);
    for mail in &second {
        let about_two = mail.text.contains("二、提升社区养老服务能力");
        assert_eq!(
            mail.cc.as_deref(),
            about_two.then_some(SUPERVISOR),
            "{}",
            mail.text
        );
        assert!(
            ack_link(&mail.text).is_some(),
            "the department's copy: {}",
            mail.text
        );
        // A 催办 says so, counts what went unacknowledged (二's earlier one; 五's was
        // acknowledged), says the office is copied, and where to file a report or a request.
        assert!(mail.text.contains("现予催办"), "{}", mail.text);
        assert_eq!(
            mail.text.contains("此前提醒：1次，均未签收"),
            about_two,
            "{}",
            mail.text
        );
        assert_eq!(mail.text.contains("本邮件同时抄送督查室"), about_two);
        assert!(
            mail.text
                .contains("办理入口：https://minsheng.example.gov.cn/#/desk"),
            "{}",
            mail.text
        );
    }
    // The office's own copies (one per department copied) carry no 签收 link: a click from the
    // office would acknowledge for the department.
    assert_eq!(office.len(), 2);
    for copy in office.iter().map(parse_mail) {
        assert!(
            copy.text.contains("二、提升社区养老服务能力"),
            "{}",
            copy.text
        );
        assert!(
            ack_link(&copy.text).is_none() && !copy.html.contains("/ack/"),
            "{}",
            copy.text
        );
    }
}

/// Two workers over one database (two pools, as two processes): each notice goes out once.
async fn two_workers_tell_the_office_once(t: TestDb) {
    import_with_contacts(&t.db, SAMPLE).await;
    let smtp = SmtpServer::start();
    let settings = settings_with(&t.url, smtp.port, Some(SUPERVISOR), &[]);
    let civil = department_id(&t.db, "市民政局").await;
    let (two, due) = item_two(&t).await;
    extension::request(
        &t.db,
        &extension::NewRequest {
            item_id: two,
            due_date_id: due,
            proposed_due_on: day(2023, 9, 30),
            reason: "场地移交推迟".into(),
            progress_note: None,
        },
        Some(civil),
        day(2023, 4, 28),
        0,
        &change(&format!("department:{civil}"), "2023-04-28T10:00:00+08:00"),
    )
    .await
    .expect("request");
    let second_db = sea_orm::Database::connect(&t.url)
        .await
        .expect("second pool");
    let (a, b) = (context(&t.db, &settings), context(&second_db, &settings));
    // A month before any reminder is due: only the notice is sent.
    let now = at("2023-05-01T08:00:00+08:00");
    let (ra, rb) = tokio::join!(run(&a, now), run(&b, now));
    let (ra, rb) = (ra.expect("worker a"), rb.expect("worker b"));
    assert_eq!(ra.planned + rb.planned, 0, "{ra:?} {rb:?}");
    assert_eq!(ra.notices_sent + rb.notices_sent, 1, "{ra:?} {rb:?}");
    let to_office = mails(&smtp).iter().filter(|m| m.to == SUPERVISOR).count();
    assert_eq!(to_office, 1);
}

/// The seed (where `../shared/data/` has it) at 23 June 2021: a pending request on item 三
/// adds 延期申请审核中 to item 三's reminders and changes nothing else.
async fn the_seed_at_23_june_2021_with_and_without_a_request(t: TestDb) {
    use sea_orm::ConnectionTrait;
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data/heze-2021-livelihood-list-batch1.txt");
    let Ok(text) = std::fs::read_to_string(&path) else {
        test_support::skipped(format_args!("{} is not readable here", path.display()));
        return;
    };
    import_with_contacts(&t.db, &text).await;
    let smtp = SmtpServer::start();
    let ctx = context(&t.db, &settings_with(&t.url, smtp.port, None, &[]));
    let now = at("2021-06-23T08:00:00+08:00");
    run(&ctx, now).await.expect("without a request");
    let mut without: Vec<(String, String, String)> = mails(&smtp)
        .into_iter()
        .map(|m| (m.to, m.subject, m.text))
        .collect();
    without.sort();
    assert_eq!(without.len(), 5);

    // The same day again, from an empty ledger, with item 三's lead department asking.
    t.db.execute_unprepared("DELETE FROM reminder_delivery")
        .await
        .expect("empty the ledger");
    let three = item::Entity::find()
        .filter(item::Column::Number.eq(3))
        .one(&t.db)
        .await
        .expect("query")
        .expect("item 三");
    let due = item_due_date::Entity::find()
        .filter(item_due_date::Column::ItemId.eq(three.id))
        .filter(item_due_date::Column::Active.eq(true))
        .one(&t.db)
        .await
        .expect("query")
        .expect("its due date");
    let lead = department_id(&t.db, "团市委").await;
    extension::request(
        &t.db,
        &extension::NewRequest {
            item_id: three.id,
            due_date_id: due.id,
            proposed_due_on: day(2021, 9, 30),
            reason: "资金未到位".into(),
            progress_note: None,
        },
        Some(lead),
        day(2021, 6, 20),
        0,
        &change(&format!("department:{lead}"), "2021-06-20T10:00:00+08:00"),
    )
    .await
    .expect("request");
    let before = smtp.received().len();
    run(&ctx, now).await.expect("with a request");
    let mut with: Vec<(String, String, String)> = smtp.received()[before..]
        .iter()
        .map(parse_mail)
        .map(|m| (m.to, m.subject, m.text))
        .collect();
    with.sort();
    assert_eq!(with.len(), without.len());
    let mut marked = 0;
    for (a, b) in without.iter().zip(&with) {
        if a.2.contains(&format!("{}、", three.number_text)) && a.2.contains(&three.title) {
            assert_eq!(
                b.2,
                a.2.replace("（还剩7天）", "（还剩7天） 延期申请审核中")
            );
            assert_ne!(a.2, b.2);
            marked += 1;
        } else {
            assert_eq!(
                a, b,
                "a reminder about an item without a request is unchanged"
            );
        }
    }
    assert_eq!(marked, 3, "item 三's three lead departments");
}

/// A rejected request: the department hears why, and its reminders keep the date they had,
/// without the pending mark.
async fn a_rejection_leaves_the_reminders_as_they_were(t: TestDb) {
    import_with_contacts(&t.db, SAMPLE).await;
    let smtp = SmtpServer::start();
    let ctx = context(
        &t.db,
        &settings_with(&t.url, smtp.port, Some(SUPERVISOR), &[]),
    );
    let civil = department_id(&t.db, "市民政局").await;
    let (two, due) = item_two(&t).await;
    let (request, _) = extension::request(
        &t.db,
        &extension::NewRequest {
            item_id: two,
            due_date_id: due,
            proposed_due_on: day(2023, 9, 30),
            reason: "场地移交推迟".into(),
            progress_note: None,
        },
        Some(civil),
        day(2023, 6, 20),
        0,
        &change(&format!("department:{civil}"), "2023-06-20T10:00:00+08:00"),
    )
    .await
    .expect("request");
    extension::decide(
        &t.db,
        request.id,
        &extension::Decision {
            approve: false,
            note: Some("请按期完成".into()),
            due_on: None,
        },
        &change("admin", "2023-06-21T09:00:00+08:00"),
    )
    .await
    .expect("reject");
    let report = run(&ctx, at(T7)).await.expect("run");
    // The office's notice of the request, the department's of the rejection, 4 reminders.
    assert_eq!(
        (report.messages_sent, report.notices_sent),
        (4, 2),
        "{report:?}"
    );
    let all = mails(&smtp);
    let rejected: Vec<&Mail> = all
        .iter()
        .filter(|m| m.subject.starts_with("【延期申请审核结果】"))
        .collect();
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].to, format!("d{civil}@dept.example.cn"));
    assert!(
        rejected[0]
            .text
            .contains("审核结果：不同意延期，请按原完成时限推进"),
        "{}",
        rejected[0].text
    );
    assert!(rejected[0].text.contains("审核意见：请按期完成"));
    let reminders: Vec<&Mail> = all
        .iter()
        .filter(|m| {
            m.text.contains("二、提升社区养老服务能力") && m.subject.starts_with("【临期提醒】")
        })
        .collect();
    assert_eq!(reminders.len(), 2);
    for mail in reminders {
        assert!(
            mail.text
                .lines()
                .any(|l| l.trim() == "完成时限：2023年6月30日（还剩7天）"),
            "{}",
            mail.text
        );
    }
}

backend_tests!(
    a_rejection_leaves_the_reminders_as_they_were,
    the_seed_at_23_june_2021_with_and_without_a_request,
    two_workers_tell_the_office_once,
    the_office_hears_of_each_request_once_and_the_department_of_the_decision,
    a_reported_item_is_quiet_until_it_is_sent_back,
    unacknowledged_overdue_reminders_copy_the_supervisor,
);
