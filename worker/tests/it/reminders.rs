//! The worker end to end: real SMTP server, real databases (SQLite, and PostgreSQL with
//! TEST_DATABASE_URL), the sample list (and the seed where `../shared/data/` has it).

use crate::support;

use chrono::NaiveDate;
use domain::store::delivery;
use entity::{DeliveryStatus, item, reminder_delivery};
use sea_orm::{ColumnTrait, ConnectionTrait, Database, EntityTrait, PaginatorTrait, QueryFilter};
use support::{
    SAMPLE, SmtpServer, at, context, dead_port, import_with_contacts, parse_mail, settings,
    settings_with,
};
use test_support::{TestDb, backend_tests};
use worker::jobs::send_reminders::{preview, run};

/// Run instant for the sample list: 7 days before 30 June 2023, 08:00 in Shanghai.
const SAMPLE_T7: &str = "2023-06-23T08:00:00+08:00";

async fn deliveries(t: &TestDb) -> Vec<reminder_delivery::Model> {
    reminder_delivery::Entity::find()
        .all(&t.db)
        .await
        .expect("deliveries")
}

async fn the_sample_reaches_every_lead_contact_once(t: TestDb) {
    import_with_contacts(&t.db, SAMPLE).await;
    let smtp = SmtpServer::start();
    let ctx = context(&t.db, &settings(&t.url, smtp.port, None));

    let report = run(&ctx, at(SAMPLE_T7)).await.expect("run");
    // Due 30 June: item 二 (市民政局, 市卫健委) and item 五 (市城市管理局, 市住房和城乡建设局).
    assert_eq!(report.messages_sent, 4, "{report:?}");
    assert_eq!(report.deliveries_sent, 4);
    let mails: Vec<_> = smtp.received().iter().map(parse_mail).collect();
    assert_eq!(mails.len(), 4);
    let mut recipients: Vec<&str> = mails.iter().map(|m| m.to.as_str()).collect();
    recipients.sort_unstable();
    recipients.dedup();
    assert_eq!(recipients.len(), 4, "one message per contact");
    for mail in &mails {
        assert_eq!(
            mail.subject,
            "【临期提醒】1项重点民生事项即将到期（最近：2023年6月30日）"
        );
        assert_eq!(mail.from, "minsheng@example.gov.cn");
        assert!(mail.has_date && !mail.message_id.is_empty());
        assert!(
            mail.text.contains("完成时限：2023年6月30日（还剩7天）"),
            "{}",
            mail.text
        );
        // The 完成时限 cell says the date and the days, not the days alone.
        assert!(
            mail.html.contains("<td>2023年6月30日<br>还剩7天</td>"),
            "{}",
            mail.html
        );
        let item_two = mail.text.contains("二、提升社区养老服务能力");
        let item_five = mail.text.contains("五、建设口袋公园和城市绿道");
        assert!(
            item_two ^ item_five,
            "each department hears of its own item: {}",
            mail.text
        );
        assert_eq!(mail.cc, None);
    }
    let health = mails
        .iter()
        .find(|m| m.text.starts_with("市卫健委"))
        .expect("市卫健委's message");
    assert!(
        health.text.contains("其他牵头部门：市民政局"),
        "{}",
        health.text
    );

    // The deliveries record what went out, with the Message-IDs the server saw.
    let rows = deliveries(&t).await;
    assert_eq!(rows.len(), 4);
    for row in &rows {
        assert_eq!(
            (row.status, row.stage.as_str(), row.attempts),
            (DeliveryStatus::Sent, "T-7", 1)
        );
        let id = row.message_id.as_deref().unwrap_or_default();
        assert!(mails.iter().any(|m| id.contains(&m.message_id)), "{id}");
    }

    // Again the same day, and the next day: nothing new.
    let again = run(&ctx, at(SAMPLE_T7)).await.expect("second run");
    assert_eq!((again.new_deliveries, again.messages_sent), (0, 0));
    run(&ctx, at("2023-06-24T08:00:00+08:00"))
        .await
        .expect("next day");
    assert_eq!(smtp.received().len(), 4);
    // T-3 is a new stage.
    let t3 = run(&ctx, at("2023-06-27T08:00:00+08:00"))
        .await
        .expect("T-3");
    assert_eq!(t3.messages_sent, 4);
    assert_eq!(smtp.received().len(), 8);
}

async fn an_smtp_outage_loses_nothing_and_sends_once_afterwards(t: TestDb) {
    import_with_contacts(&t.db, SAMPLE).await;
    let port = dead_port();
    let down = context(&t.db, &settings(&t.url, port, None));
    let report = run(&down, at(SAMPLE_T7))
        .await
        .expect("run during the outage");
    assert_eq!(
        (
            report.messages_sent,
            report.deliveries_retrying,
            report.deliveries_failed
        ),
        (0, 4, 0)
    );
    for row in deliveries(&t).await {
        assert_eq!(row.status, DeliveryStatus::Pending);
        assert_eq!(row.attempts, 1);
        assert!(
            row.last_error.is_some() && row.next_attempt_at.is_some(),
            "{row:?}"
        );
    }
    // Before the backoff has passed nothing is attempted.
    let early = run(&down, at("2023-06-23T08:01:00+08:00"))
        .await
        .expect("early");
    assert_eq!(early.deliveries_retrying, 0);

    // The server comes back on the same port.
    let smtp =
        SmtpServer::start_on(std::net::TcpListener::bind(("127.0.0.1", port)).expect("rebind"));
    let back = context(&t.db, &settings(&t.url, port, None));
    let report = run(&back, at("2023-06-23T09:00:00+08:00"))
        .await
        .expect("run after the outage");
    assert_eq!(report.messages_sent, 4);
    run(&back, at("2023-06-23T10:00:00+08:00"))
        .await
        .expect("again");
    assert_eq!(smtp.received().len(), 4, "each reminder once");
    assert!(
        deliveries(&t)
            .await
            .iter()
            .all(|r| r.status == DeliveryStatus::Sent && r.attempts == 2)
    );
}

async fn two_workers_at_once_deliver_each_reminder_once(t: TestDb) {
    import_with_contacts(&t.db, SAMPLE).await;
    let smtp = SmtpServer::start();
    let config = settings(&t.url, smtp.port, None);
    // Two workers: separate connection pools, as two processes would have.
    let second_db = Database::connect(&t.url).await.expect("second pool");
    let (a, b) = (context(&t.db, &config), context(&second_db, &config));
    let (ra, rb) = tokio::join!(run(&a, at(SAMPLE_T7)), run(&b, at(SAMPLE_T7)));
    let (ra, rb) = (ra.expect("worker a"), rb.expect("worker b"));
    assert_eq!(ra.deliveries_sent + rb.deliveries_sent, 4, "{ra:?} {rb:?}");
    assert_eq!(smtp.received().len(), 4);
    assert_eq!(deliveries(&t).await.len(), 4);
}

async fn a_claim_of_a_dead_worker_expires_and_is_sent_later(t: TestDb) {
    import_with_contacts(&t.db, SAMPLE).await;
    let smtp = SmtpServer::start();
    let ctx = context(&t.db, &settings(&t.url, smtp.port, None));
    // A worker plans and claims, then dies before sending.
    let now = at(SAMPLE_T7);
    let preview_rows = domain::reminder::plan(
        &delivery::sending::due_dates(&t.db, None)
            .await
            .expect("due"),
        &delivery::sending::contacts(&t.db).await.expect("contacts"),
        &ctx.policy,
        NaiveDate::from_ymd_opt(2023, 6, 23).expect("date"),
    );
    delivery::sending::record_planned(&t.db, &preview_rows.reminders, now)
        .await
        .expect("plan");
    let claimed = delivery::sending::claim(&t.db, now, chrono::Duration::minutes(10), 100)
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 4);

    let during = run(&ctx, at("2023-06-23T08:05:00+08:00"))
        .await
        .expect("while the claim holds");
    assert_eq!(
        during.messages_sent, 0,
        "claimed rows are not taken over early"
    );
    let after = run(&ctx, at("2023-06-23T08:11:00+08:00"))
        .await
        .expect("after the claim expired");
    assert_eq!(after.messages_sent, 4);
    assert_eq!(smtp.received().len(), 4);
}

async fn a_changed_deadline_starts_its_own_ladder(t: TestDb) {
    import_with_contacts(&t.db, SAMPLE).await;
    let smtp = SmtpServer::start();
    let ctx = context(&t.db, &settings(&t.url, smtp.port, None));
    run(&ctx, at(SAMPLE_T7)).await.expect("T-7 of version 1");

    // 延期: item 二 moves to 31 July as version 2; version 1 is kept, inactive.
    let two = item::Entity::find()
        .filter(item::Column::Number.eq(2))
        .one(&t.db)
        .await
        .expect("q")
        .expect("item 二");
    domain::store::item::admin::change_deadline(
        &t.db,
        two.id,
        NaiveDate::from_ymd_opt(2023, 7, 31).expect("date"),
        "资金到位推迟",
        None,
        &domain::store::unit_of_work::Change {
            actor: domain::store::audit::Actor::system("test"),
            now: at(SAMPLE_T7),
        },
    )
    .await
    .expect("延期 to version 2");

    run(&ctx, at("2023-07-24T08:00:00+08:00"))
        .await
        .expect("T-7 of version 2");
    let v2_sent = reminder_delivery::Entity::find()
        .filter(reminder_delivery::Column::DueDateVersion.eq(2))
        .filter(reminder_delivery::Column::Stage.eq("T-7"))
        .filter(reminder_delivery::Column::Status.eq(DeliveryStatus::Sent))
        .count(&t.db)
        .await
        .expect("count");
    assert_eq!(
        v2_sent, 2,
        "both lead contacts of item 二 hear of the new date"
    );
    let mails: Vec<_> = smtp.received().iter().map(parse_mail).collect();
    let moved: Vec<_> = mails
        .iter()
        .filter(|m| m.text.contains("2023年7月31日"))
        .collect();
    assert_eq!(moved.len(), 2);
    assert!(
        !mails
            .iter()
            .any(|m| m.text.contains("二、提升社区养老服务能力") && m.subject.contains("逾期")),
        "the old date is not overdue"
    );
}

/// Overdue past MINSHENG_ESCALATE_AFTER_DAYS: each department's reminder names the supervisor
/// in Cc, and the supervisor gets a copy of its own (a transaction of its own), so that each
/// server answers for its own recipient.
async fn long_overdue_items_are_escalated_to_the_supervisor(t: TestDb) {
    import_with_contacts(&t.db, SAMPLE).await;
    let smtp = SmtpServer::start();
    let ctx = context(
        &t.db,
        &settings(&t.url, smtp.port, Some("duchashi@example.gov.cn")),
    );
    // 16 days after 30 June.
    run(&ctx, at("2023-07-16T08:00:00+08:00"))
        .await
        .expect("run");
    let received = smtp.received();
    let (office, departments): (Vec<_>, Vec<_>) = received
        .iter()
        .partition(|r| r.envelope_to.iter().any(|to| to.contains("duchashi")));
    assert_eq!(departments.len(), 4);
    assert_eq!(office.len(), 4, "a copy for the office of each");
    for r in &received {
        assert_eq!(
            r.envelope_to.len(),
            1,
            "one recipient a transaction: {:?}",
            r.envelope_to
        );
        let m = parse_mail(r);
        assert_eq!(m.cc.as_deref(), Some("duchashi@example.gov.cn"));
        assert_eq!(
            m.subject,
            "【逾期提醒】1项重点民生事项已逾期（最早：2023年6月30日）"
        );
        assert!(m.text.contains("已逾期16天"), "{}", m.text);
    }
}

/// A mailbox shared by two lead departments of an item gets one email, which greets both.
async fn a_mailbox_of_two_departments_is_greeted_as_both(t: TestDb) {
    import_with_contacts(&t.db, SAMPLE).await;
    t.db.execute_unprepared(
        "UPDATE department_contact SET email = 'shared@dept.example.cn' \
         WHERE department_id IN (SELECT id FROM department WHERE name IN ('市民政局', '市卫健委'))",
    )
    .await
    .expect("one mailbox for both");
    let smtp = SmtpServer::start();
    let ctx = context(&t.db, &settings(&t.url, smtp.port, None));
    run(&ctx, at(SAMPLE_T7)).await.expect("run");
    let mails: Vec<_> = smtp.received().iter().map(parse_mail).collect();
    let shared: Vec<_> = mails.iter().filter(|m| m.to.contains("shared@")).collect();
    assert_eq!(shared.len(), 1, "{}", mails.len());
    assert!(
        shared[0].text.starts_with("市民政局、市卫健委")
            || shared[0].text.starts_with("市卫健委、市民政局"),
        "{}",
        shared[0].text
    );
    // Item 二, which both lead, once, and neither named as "the other lead department".
    assert_eq!(
        shared[0].text.matches("二、提升社区养老服务能力").count(),
        1,
        "{}",
        shared[0].text
    );
    assert!(
        shared[0].text.contains("其他牵头部门：无"),
        "{}",
        shared[0].text
    );
}

/// A supervisor's address that the server refuses (550) fails only the supervisor's copy: every
/// department's reminder is delivered and recorded sent, none failed under the contact's name.
async fn a_refused_supervisor_fails_only_its_own_copy(t: TestDb) {
    import_with_contacts(&t.db, SAMPLE).await;
    let smtp = SmtpServer::start_refusing(&["duchashi@"]);
    let ctx = context(
        &t.db,
        &settings(&t.url, smtp.port, Some("duchashi@example.gov.cn")),
    );
    let report = run(&ctx, at("2023-07-16T08:00:00+08:00"))
        .await
        .expect("run");
    assert_eq!(report.messages_sent, 4, "{report:?}");
    assert_eq!(report.deliveries_failed, 0, "{report:?}");
    assert_eq!(smtp.received().len(), 4, "the departments' copies");
    assert!(
        deliveries(&t)
            .await
            .iter()
            .all(|r| r.status == DeliveryStatus::Sent && r.last_error.is_none()),
        "every contact's reminder stands"
    );
}

async fn done_items_are_not_reminded_and_dry_runs_write_nothing(t: TestDb) {
    import_with_contacts(&t.db, SAMPLE).await;
    let smtp = SmtpServer::start();
    let ctx = context(&t.db, &settings(&t.url, smtp.port, None));
    t.db.execute_unprepared("UPDATE item SET status = 'done' WHERE number = 5")
        .await
        .expect("item 五 done");

    let (messages, report) = preview(&ctx, at(SAMPLE_T7)).await.expect("preview");
    assert_eq!(messages.len(), 2, "only item 二's two lead departments");
    assert!(
        messages
            .iter()
            .all(|m| m.items == ["二、提升社区养老服务能力"])
    );
    assert_eq!(report.planned, 2);
    assert_eq!(deliveries(&t).await.len(), 0, "a dry run writes nothing");
    assert!(smtp.received().is_empty(), "and sends nothing");

    let sent = run(&ctx, at(SAMPLE_T7)).await.expect("run");
    assert_eq!(sent.messages_sent, 2);
}

async fn the_seed_list_at_23_june_2021(t: TestDb) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data/heze-2021-livelihood-list-batch1.txt");
    let Ok(text) = std::fs::read_to_string(&path) else {
        test_support::skipped(format_args!("{} is not readable here", path.display()));
        return;
    };
    import_with_contacts(&t.db, &text).await;
    let smtp = SmtpServer::start();
    let ctx = context(&t.db, &settings(&t.url, smtp.port, None));
    let report = run(&ctx, at("2021-06-23T08:00:00+08:00"))
        .await
        .expect("run");
    // Due 30 June 2021: item 三 (团市委, 市妇联, 市民政局) and item 十三's stage date
    // (市市场监管局, 市公安局).
    assert_eq!(report.messages_sent, 5, "{report:?}");
    let mails: Vec<_> = smtp.received().iter().map(parse_mail).collect();
    let stage: Vec<_> = mails
        .iter()
        .filter(|m| m.text.contains("十三、保障食品药品安全"))
        .collect();
    assert_eq!(stage.len(), 2);
    assert!(
        stage.iter().all(|m| m.text.contains("阶段性目标")),
        "{}",
        stage[0].text
    );
    assert!(
        mails
            .iter()
            .all(|m| m.subject == "【临期提醒】1项重点民生事项即将到期（最近：2021年6月30日）")
    );
    let again = run(&ctx, at("2021-06-23T08:00:00+08:00"))
        .await
        .expect("again");
    assert_eq!(again.messages_sent, 0);
}

async fn cooperating_departments_get_a_weekly_digest_when_configured(t: TestDb) {
    import_with_contacts(&t.db, SAMPLE).await;
    let smtp = SmtpServer::start();
    let config = settings_with(
        &t.url,
        smtp.port,
        None,
        &[("MINSHENG_COOPERATING_DIGEST", "friday")],
    );
    let ctx = context(&t.db, &config);
    // Friday 23 June 2023: items 二 (配合: 市财政局, 市人社局) and 五 (配合: 市自然资源局, 市财政局).
    let report = run(&ctx, at(SAMPLE_T7)).await.expect("run");
    assert_eq!(report.messages_sent, 4 + 3, "{report:?}");
    let mails: Vec<_> = smtp.received().iter().map(parse_mail).collect();
    let cooperating: Vec<_> = mails
        .iter()
        .filter(|m| m.subject.starts_with("【协办提醒】"))
        .collect();
    assert_eq!(cooperating.len(), 3);
    let finance = cooperating
        .iter()
        .find(|m| m.text.starts_with("市财政局"))
        .expect("市财政局's digest");
    assert_eq!(
        finance.subject,
        "【协办提醒】本周2项配合推进的重点民生事项（最近：2023年6月30日）"
    );
    assert!(
        finance.text.contains("牵头部门：市民政局、市卫健委"),
        "{}",
        finance.text
    );
    assert!(
        finance.text.contains("二、提升社区养老服务能力")
            && finance.text.contains("五、建设口袋公园和城市绿道")
    );

    // Saturday: not the digest's day. The next Friday: a new week's digest.
    let saturday = run(&ctx, at("2023-06-24T08:00:00+08:00"))
        .await
        .expect("saturday");
    assert_eq!(saturday.messages_sent, 0);
    run(&ctx, at("2023-06-30T08:00:00+08:00"))
        .await
        .expect("next friday");
    let weekly = smtp
        .received()
        .iter()
        .map(parse_mail)
        .filter(|m| m.subject.starts_with("【协办提醒】"))
        .count();
    assert_eq!(weekly, 6);
}

async fn rows_of_a_department_removed_from_the_item_are_skipped(t: TestDb) {
    import_with_contacts(&t.db, SAMPLE).await;
    let smtp = SmtpServer::start();
    let down = context(&t.db, &settings(&t.url, dead_port(), None));
    run(&down, at(SAMPLE_T7)).await.expect("planned, not sent");
    // Item 二 loses 市卫健委 before the retry.
    t.db.execute_unprepared(
        "DELETE FROM item_department WHERE department_id = (SELECT id FROM department WHERE name = '市卫健委')",
    )
    .await
    .expect("unassign");
    let ctx = context(&t.db, &settings(&t.url, smtp.port, None));
    let report = run(&ctx, at("2023-06-23T09:00:00+08:00"))
        .await
        .expect("retry");
    assert_eq!(report.messages_sent, 3);
    let skipped = reminder_delivery::Entity::find()
        .filter(reminder_delivery::Column::Status.eq(DeliveryStatus::Skipped))
        .count(&t.db)
        .await
        .expect("count");
    assert_eq!(skipped, 1, "the row is closed, not claimed again forever");
    let later = run(&ctx, at("2023-06-23T10:00:00+08:00"))
        .await
        .expect("later");
    assert_eq!((later.messages_sent, later.deliveries_retrying), (0, 0));
}

async fn ongoing_items_get_a_monthly_check_in_when_configured(t: TestDb) {
    import_with_contacts(&t.db, SAMPLE).await;
    let smtp = SmtpServer::start();
    let config = settings_with(
        &t.url,
        smtp.port,
        None,
        &[("MINSHENG_ONGOING_CHECKIN_DAY", "1")],
    );
    let ctx = context(&t.db, &config);
    let checkins = |smtp: &SmtpServer| -> Vec<support::Mail> {
        smtp.received()
            .iter()
            .map(parse_mail)
            .filter(|m| m.subject.starts_with("【进展督办】"))
            .collect()
    };

    // 3 July 2023: item 六 (优化政务服务, 长期坚持 only, led by 市行政审批服务局) is the only item
    // with no date; its lead department is asked for this month's progress, once.
    run(&ctx, at("2023-07-03T08:00:00+08:00"))
        .await
        .expect("run");
    let mails = checkins(&smtp);
    assert_eq!(mails.len(), 1, "one check-in");
    let mail = &mails[0];
    assert_eq!(
        mail.subject,
        "【进展督办】请报送1项长期坚持重点民生事项的本月进展"
    );
    assert!(mail.text.starts_with("市行政审批服务局"), "{}", mail.text);
    assert!(mail.text.contains("六、优化政务服务"), "{}", mail.text);
    assert!(mail.text.contains("完成时限：长期坚持"), "{}", mail.text);
    assert!(mail.html.contains("<td>长期坚持</td>"), "{}", mail.html);
    let six = item::Entity::find()
        .filter(item::Column::Title.contains("优化政务服务"))
        .one(&t.db)
        .await
        .expect("query")
        .expect("item 六");
    let rows: Vec<_> = deliveries(&t)
        .await
        .into_iter()
        .filter(|r| r.stage.starts_with("checkin-"))
        .collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (
            rows[0].stage.as_str(),
            rows[0].status,
            rows[0].due_date_id,
            rows[0].item_id
        ),
        ("checkin-2023-07", DeliveryStatus::Sent, None, Some(six.id))
    );

    // Later the same month: nothing more. Next month: the next check-in.
    run(&ctx, at("2023-07-20T08:00:00+08:00"))
        .await
        .expect("run");
    assert_eq!(checkins(&smtp).len(), 1);
    run(&ctx, at("2023-08-01T08:00:00+08:00"))
        .await
        .expect("run");
    assert_eq!(checkins(&smtp).len(), 2);

    // Done items are not asked about.
    t.db.execute_unprepared(&format!(
        "UPDATE item SET status = 'done' WHERE id = {}",
        six.id
    ))
    .await
    .expect("done");
    run(&ctx, at("2023-09-01T08:00:00+08:00"))
        .await
        .expect("run");
    assert_eq!(checkins(&smtp).len(), 2);
}

/// A run claims its rows in batches of contacts; however many reminders a contact has (more
/// than any batch once held: 200 rows), it gets one digest per run.
async fn a_contact_with_hundreds_of_reminders_gets_one_email(t: TestDb) {
    let mut text = String::from("某市2023年重点民生项目清单\n\n");
    for n in 1..=260 {
        let lead = if n % 13 == 0 {
            "市卫健委"
        } else {
            "市教育局"
        };
        text.push_str(&format!(
            "{n}、第{n}项工程\n\n事项内容:建设第{n}处设施。\n\n完成时限:2023年6月底\n\n牵头部门:{lead}\n\n"
        ));
    }
    import_with_contacts(&t.db, &text).await;
    let smtp = SmtpServer::start();
    let ctx = context(&t.db, &settings(&t.url, smtp.port, None));
    let report = run(&ctx, at(SAMPLE_T7)).await.expect("run");
    assert_eq!(report.deliveries_sent, 260, "{report:?}");
    let mails: Vec<_> = smtp.received().iter().map(parse_mail).collect();
    assert_eq!(
        mails.len(),
        2,
        "one email per contact: {:?}",
        mails.iter().map(|m| &m.to).collect::<Vec<_>>()
    );
    let education = mails
        .iter()
        .find(|m| m.text.starts_with("市教育局"))
        .expect("市教育局's email");
    assert_eq!(
        education.subject,
        "【临期提醒】240项重点民生事项即将到期（最近：2023年6月30日）"
    );
    assert_eq!(
        education.text.matches("完成时限：2023年6月30日").count(),
        240
    );
}

/// A server's 5xx refusal, or an address the mailer cannot use, will not go away by waiting: the
/// row is marked failed at once with its reason, and later runs leave it alone. The other
/// contacts are reminded as usual.
async fn a_permanent_refusal_fails_the_row_at_once(t: TestDb) {
    import_with_contacts(&t.db, SAMPLE).await;
    // 市民政局 is reminded on 30 June (item 二): its server says the mailbox does not exist.
    let civil =
        t.db.query_one_raw(sea_orm::Statement::from_string(
            t.db.get_database_backend(),
            "SELECT id FROM department WHERE name = '市民政局'",
        ))
        .await
        .expect("query")
        .and_then(|r| r.try_get::<i64>("", "id").ok())
        .expect("市民政局");
    let refused = format!("d{civil}@dept.example.cn");
    // 市卫健委's contact carries an address written before the directory refused such.
    t.db.execute_unprepared(
        "UPDATE department_contact SET email = 'wei..jian@dept.example.cn' \
         WHERE department_id = (SELECT id FROM department WHERE name = '市卫健委')",
    )
    .await
    .expect("a bad address from the past");
    let smtp = SmtpServer::start_refusing(&[&refused]);
    let ctx = context(&t.db, &settings(&t.url, smtp.port, None));
    let report = run(&ctx, at(SAMPLE_T7)).await.expect("run");
    assert_eq!(
        report.messages_sent, 2,
        "the other two contacts: {report:?}"
    );
    assert_eq!(report.deliveries_failed, 2, "{report:?}");
    assert_eq!(report.deliveries_retrying, 0, "{report:?}");
    let rows = deliveries(&t).await;
    let failed: Vec<_> = rows
        .iter()
        .filter(|r| r.status == DeliveryStatus::Failed)
        .collect();
    assert_eq!(failed.len(), 2);
    for row in &failed {
        assert_eq!(row.attempts, 1, "not retried");
        assert_eq!(row.next_attempt_at, None);
        let reason = row.last_error.as_deref().unwrap_or_default();
        assert!(!reason.is_empty());
    }
    assert!(
        failed
            .iter()
            .any(|r| r.last_error.as_deref().is_some_and(|e| e.contains("550"))),
        "{failed:?}"
    );
    // Days later nothing is tried again for them.
    let later = run(&ctx, at("2023-06-24T08:00:00+08:00"))
        .await
        .expect("later");
    assert_eq!(
        (later.messages_sent, later.deliveries_failed),
        (0, 0),
        "{later:?}"
    );
}

backend_tests!(
    a_permanent_refusal_fails_the_row_at_once,
    a_contact_with_hundreds_of_reminders_gets_one_email,
    ongoing_items_get_a_monthly_check_in_when_configured,
    cooperating_departments_get_a_weekly_digest_when_configured,
    rows_of_a_department_removed_from_the_item_are_skipped,
    the_sample_reaches_every_lead_contact_once,
    an_smtp_outage_loses_nothing_and_sends_once_afterwards,
    two_workers_at_once_deliver_each_reminder_once,
    a_claim_of_a_dead_worker_expires_and_is_sent_later,
    a_changed_deadline_starts_its_own_ladder,
    long_overdue_items_are_escalated_to_the_supervisor,
    a_refused_supervisor_fails_only_its_own_copy,
    a_mailbox_of_two_departments_is_greeted_as_both,
    done_items_are_not_reminded_and_dry_runs_write_nothing,
    the_seed_list_at_23_june_2021,
);
