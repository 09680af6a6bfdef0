//! The 情况通报 through a real SMTP server on both engines: one email per period to every
//! recipient, with its sections in a text and an HTML part and each list's 台账 attached (read
//! back with calamine); never twice, even from two workers at once; retried after an outage.

use crate::support;
use test_support::{
    date as day,
    lookup::{department_id, item_id},
};

use std::io::Cursor;

use calamine::{Reader, Xlsx, open_workbook_from_rs};
use domain::store::{
    audit::Actor,
    item::{completion, extension},
    unit_of_work::Change,
};
use entity::{bulletin, item, item_due_date};
use mail_parser::{MessageParser, MimeHeaders};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use support::{SAMPLE, SmtpServer, at, context, dead_port, import_with_contacts, settings_with};
use test_support::{TestDb, backend_tests};
use worker::jobs::{
    send_bulletin::{Outcome, deliver_pending, run},
    send_reminders,
};

const TO: &str = "shizhang@example.gov.cn, duchashi@example.gov.cn";
const MONDAYS: &str = "0 0 9 * * Mon";
/// Monday 3 July 2023, 09:00 in Shanghai, as a tick fires: a little after the second.
const TICK: &str = "2023-07-03T09:00:00.150+08:00";

/// A made-up second list: one item due a week after the bulletin, led by a department that
/// will have no contact.
const SECOND: &str = "测试市2023年民生实事清单(第二批)

一、修缮老旧小区屋面

事项内容:修缮老旧小区屋面20处。

完成时限:2023年7月10日

牵头部门:市房屋修缮中心

配合部门:市财政局
";

fn change(actor: &str, now: &str) -> Change {
    Change {
        actor: Actor::system(actor),
        now: at(now),
    }
}

/// The sample and the second list; 二 done late, 七 done early, 三 extended, 五 overdue; the
/// second list's lead without a contact.
async fn seed(t: &TestDb) {
    import_with_contacts(&t.db, SAMPLE).await;
    import_with_contacts(&t.db, SECOND).await;
    let repair = department_id(&t.db, "市房屋修缮中心").await;
    t.db.execute_unprepared(&format!(
        "UPDATE department_contact SET active = false WHERE department_id = {repair}"
    ))
    .await
    .expect("no contact");

    let two = item_id(&t.db, 2, "第一批").await;
    let civil = department_id(&t.db, "市民政局").await;
    completion::report(
        &t.db,
        two,
        "10处养老服务中心全部建成",
        Some(civil),
        &change(&format!("department:{civil}"), "2023-07-01T10:00:00+08:00"),
    )
    .await
    .expect("report 二");
    completion::confirm(
        &t.db,
        two,
        None,
        day(2023, 7, 2),
        &change("admin", "2023-07-02T10:00:00+08:00"),
    )
    .await
    .expect("confirm 二");

    let seven = item_id(&t.db, 7, "第一批").await;
    let medical = department_id(&t.db, "市医疗保障局").await;
    completion::report(
        &t.db,
        seven,
        "资助政策已全部落实",
        Some(medical),
        &change(
            &format!("department:{medical}"),
            "2023-06-27T10:00:00+08:00",
        ),
    )
    .await
    .expect("report 七");
    completion::confirm(
        &t.db,
        seven,
        None,
        day(2023, 6, 28),
        &change("admin", "2023-06-28T10:00:00+08:00"),
    )
    .await
    .expect("confirm 七");

    let three = item_id(&t.db, 3, "第一批").await;
    let due = item_due_date::Entity::find()
        .filter(item_due_date::Column::ItemId.eq(three))
        .filter(item_due_date::Column::Active.eq(true))
        .one(&t.db)
        .await
        .expect("query")
        .expect("due date of 三");
    let lead = entity::item_department::Entity::find()
        .filter(entity::item_department::Column::ItemId.eq(three))
        .filter(entity::item_department::Column::Role.eq(entity::DepartmentRole::Lead))
        .one(&t.db)
        .await
        .expect("query")
        .expect("lead of 三")
        .department_id;
    let (request, _) = extension::request(
        &t.db,
        &extension::NewRequest {
            item_id: three,
            due_date_id: due.id,
            proposed_due_on: day(2024, 3, 31),
            reason: "车辆采购流程延长".into(),
            progress_note: None,
        },
        Some(lead),
        day(2023, 6, 28),
        0,
        &change(&format!("department:{lead}"), "2023-06-28T10:00:00+08:00"),
    )
    .await
    .expect("request");
    extension::decide(
        &t.db,
        request.id,
        &extension::Decision {
            approve: true,
            note: None,
            due_on: Some(day(2024, 2, 29)),
        },
        &change("admin", "2023-06-30T10:00:00+08:00"),
    )
    .await
    .expect("decide");
}

fn settings(t: &TestDb, smtp_port: u16) -> domain::Settings {
    settings_with(
        &t.url,
        smtp_port,
        None,
        &[
            ("MINSHENG_BULLETIN_TO", TO),
            ("MINSHENG_BULLETIN_CRON", MONDAYS),
        ],
    )
}

/// The emails received: the same message sent to each recipient in turn counts once.
fn emails(smtp: &SmtpServer) -> Vec<support::Received> {
    let mut emails: Vec<support::Received> = Vec::new();
    for received in smtp.received() {
        if !emails.iter().any(|e| e.data == received.data) {
            emails.push(received);
        }
    }
    emails
}

async fn bulletins(t: &TestDb) -> Vec<bulletin::Model> {
    bulletin::Entity::find()
        .all(&t.db)
        .await
        .expect("bulletins")
}

async fn one_email_per_period_with_its_sections_and_the_ledgers_attached(t: TestDb) {
    seed(&t).await;
    let smtp = SmtpServer::start();
    let ctx = context(&t.db, &settings(&t, smtp.port));

    let outcome = run(&ctx, at(TICK)).await.expect("run");
    assert!(
        matches!(&outcome, Outcome::Sent { recipients: 2, period_start, .. } if *period_start == at("2023-07-03T09:00:00+08:00")),
        "{outcome:?}"
    );
    let received = smtp.received();
    assert_eq!(
        received.len(),
        2,
        "the same email, to each recipient in turn"
    );
    assert_eq!(received[0].data, received[1].data);
    let mut envelope: Vec<String> = received
        .iter()
        .flat_map(|r| r.envelope_to.clone())
        .collect();
    envelope.sort();
    assert_eq!(
        envelope,
        ["duchashi@example.gov.cn", "shizhang@example.gov.cn"]
    );

    let message = MessageParser::new()
        .parse(&received[0].data)
        .expect("a parsable message");
    assert_eq!(
        message.subject(),
        Some("重点民生项目情况通报（截至2023年7月3日）")
    );
    let text = message.body_text(0).expect("text part").into_owned();
    let html = message.body_html(0).expect("html part").into_owned();
    for part in [&text, &html] {
        // Since the last bulletin: the first one covers the week before.
        assert!(part.contains("2023年6月26日以来"), "{part}");
        // 五 (上半年) is 3 days overdue under both its lead departments.
        assert!(part.contains("市城市管理局"), "{part}");
        assert!(part.contains("已逾期3天"), "{part}");
        // Due within 14 days: the second list's item, on 10 July.
        assert!(part.contains("修缮老旧小区屋面"), "{part}");
        assert!(part.contains("2023年7月10日到期"), "{part}");
        // The extension asked and granted in the week.
        assert!(part.contains("车辆采购流程延长"), "{part}");
        assert!(part.contains("同意延期至2024年2月29日"), "{part}");
        // 二 done two days late, 七 done early.
        assert!(part.contains("逾期2天办结"), "{part}");
        assert!(part.contains("按期办结"), "{part}");
        // The second list's item is named with its lead (which has no contact; that section
        // is the office's, and no office is configured here).
        assert!(part.contains("市房屋修缮中心"), "{part}");
        assert!(!part.contains("未登记联系人"), "{part}");
    }
    let overdue_section = text
        .split("二、逾期事项")
        .nth(1)
        .and_then(|s| s.split("三、").next())
        .expect("overdue section");
    assert!(
        overdue_section.contains("五、建设口袋公园和城市绿道"),
        "{text}"
    );
    assert!(
        !overdue_section.contains("提升社区养老服务能力"),
        "二 is done: {text}"
    );
    // Counts: 8 items over both lists (7 and 1), 2 done.
    assert!(text.contains("共8项"), "{text}");
    assert!(text.contains("已办结2项"), "{text}");

    let attachments: Vec<_> = message.attachments().collect();
    assert_eq!(attachments.len(), 2, "one 台账 per list");
    let names: Vec<String> = attachments
        .iter()
        .map(|a| a.attachment_name().unwrap_or_default().to_owned())
        .collect();
    assert!(
        names
            .iter()
            .any(|n| n.contains("第一批") && n.ends_with("台账20230703.xlsx")),
        "{names:?}"
    );
    for a in &attachments {
        assert_eq!(
            a.content_type().and_then(|c| c.subtype()),
            Some("vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        );
        let mut workbook: Xlsx<_> =
            open_workbook_from_rs(Cursor::new(a.contents().to_vec())).expect("an xlsx");
        let sheet = workbook
            .worksheet_range_at(0)
            .expect("a sheet")
            .expect("readable");
        let name = a.attachment_name().unwrap_or_default();
        // Title row, header row, one row per item.
        let items = if name.contains("第一批") { 7 } else { 1 };
        assert_eq!(sheet.height(), 2 + items, "{name}");
    }

    // Later in the same period, by this worker or after a restart: not sent again.
    let again = run(&ctx, at("2023-07-05T15:00:00+08:00"))
        .await
        .expect("again");
    assert!(matches!(again, Outcome::AlreadySent { .. }), "{again:?}");
    assert_eq!(emails(&smtp).len(), 1);

    // The next Monday is a new period, covering since the last one.
    let next = run(&ctx, at("2023-07-10T09:00:01+08:00"))
        .await
        .expect("next");
    assert!(matches!(next, Outcome::Sent { .. }), "{next:?}");
    let rows = bulletins(&t).await;
    assert_eq!(rows.len(), 2);
    let second = rows.iter().max_by_key(|r| r.period_start).expect("row");
    assert_eq!(second.covers_from, at("2023-07-03T09:00:00+08:00"));
    let text = MessageParser::new()
        .parse(&emails(&smtp)[1].data)
        .and_then(|m| m.body_text(0).map(|t| t.into_owned()))
        .expect("second text");
    assert!(text.contains("2023年7月3日以来"), "{text}");
    // The extension and the completions were news last week, not this one.
    assert!(!text.contains("车辆采购流程延长"), "{text}");
    assert!(!text.contains("按期办结"), "{text}");
}

/// One recipient that the server refuses (550) does not keep the bulletin from the others: it
/// is sent, and the refusal is recorded with its own reason.
async fn a_refused_recipient_does_not_keep_the_bulletin_from_the_others(t: TestDb) {
    seed(&t).await;
    let smtp = SmtpServer::start_refusing(&["shizhang@"]);
    let ctx = context(&t.db, &settings(&t, smtp.port));
    let outcome = run(&ctx, at(TICK)).await.expect("run");
    assert!(
        matches!(&outcome, Outcome::Sent { recipients: 1, .. }),
        "{outcome:?}"
    );
    let received = smtp.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].envelope_to, ["duchashi@example.gov.cn"]);
    let rows = bulletins(&t).await;
    assert_eq!(rows[0].status, entity::BulletinStatus::Sent);
    assert_eq!(
        rows[0].recipients.as_deref(),
        Some("duchashi@example.gov.cn")
    );
    let refused = rows[0].last_error.clone().unwrap_or_default();
    assert!(
        refused.contains("shizhang@example.gov.cn") && refused.contains("550"),
        "{refused}"
    );
}

async fn two_workers_at_one_tick_send_one_bulletin(t: TestDb) {
    seed(&t).await;
    let smtp = SmtpServer::start();
    let settings = settings(&t, smtp.port);
    let (a, b) = (context(&t.db, &settings), context(&t.db, &settings));
    let (first, second) = tokio::join!(
        run(&a, at(TICK)),
        run(&b, at("2023-07-03T09:00:00.400+08:00"))
    );
    let outcomes = [first.expect("a"), second.expect("b")];
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| matches!(o, Outcome::Sent { .. }))
            .count(),
        1,
        "{outcomes:?}"
    );
    assert_eq!(emails(&smtp).len(), 1);
    assert_eq!(bulletins(&t).await.len(), 1);
}

async fn a_bulletin_not_sent_in_an_outage_is_sent_by_a_later_run(t: TestDb) {
    seed(&t).await;
    let down = context(&t.db, &settings(&t, dead_port()));
    let outcome = run(&down, at(TICK)).await.expect("run");
    assert!(matches!(outcome, Outcome::Retrying { .. }), "{outcome:?}");

    let smtp = SmtpServer::start();
    let up = context(&t.db, &settings(&t, smtp.port));
    // Too soon: the retry waits half an hour.
    assert_eq!(
        deliver_pending(&up, at("2023-07-03T09:10:00+08:00"))
            .await
            .expect("soon"),
        None
    );
    // The next reminder run sends it, as of its period.
    let report = send_reminders::run(&up, at("2023-07-04T08:00:00+08:00"))
        .await
        .expect("reminder run");
    assert!(
        matches!(report.bulletin, Some(Outcome::Sent { .. })),
        "{report:?}"
    );
    let bulletins: Vec<_> = smtp
        .received()
        .into_iter()
        .filter(|r| r.envelope_to.iter().any(|to| to.contains("duchashi")))
        .collect();
    assert_eq!(bulletins.len(), 1);
    let subject = MessageParser::new()
        .parse(&bulletins[0].data)
        .and_then(|m| m.subject().map(str::to_owned))
        .expect("subject");
    assert_eq!(subject, "重点民生项目情况通报（截至2023年7月3日）");
    let rows = self::bulletins(&t).await;
    assert_eq!(rows[0].attempts, 2);
    assert_eq!(rows[0].status, entity::BulletinStatus::Sent);
}

async fn a_pending_bulletin_is_superseded_by_the_next_period(t: TestDb) {
    seed(&t).await;
    let down = context(&t.db, &settings(&t, dead_port()));
    run(&down, at(TICK)).await.expect("run");
    let smtp = SmtpServer::start();
    let up = context(&t.db, &settings(&t, smtp.port));
    let next = run(&up, at("2023-07-10T09:00:00+08:00"))
        .await
        .expect("next");
    assert!(matches!(next, Outcome::Sent { .. }), "{next:?}");
    assert_eq!(emails(&smtp).len(), 1, "the stale bulletin is not sent");
    let statuses: Vec<_> = bulletin::Entity::find()
        .all(&t.db)
        .await
        .expect("rows")
        .into_iter()
        .map(|r| (r.period_start, r.status))
        .collect();
    assert!(statuses.contains(&(
        at("2023-07-03T09:00:00+08:00"),
        entity::BulletinStatus::Superseded
    )));
    assert_eq!(
        bulletin::Entity::find()
            .filter(bulletin::Column::Status.eq(entity::BulletinStatus::Sent))
            .count(&t.db)
            .await
            .expect("count"),
        1
    );
}

/// The seed (where it is readable): the bulletin counts every printed item, its overdue count
/// is the 台账's, and the attachment has a row per item.
async fn the_seed_gets_a_bulletin_that_counts_every_item(t: TestDb) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data/heze-2021-livelihood-list-batch1.txt");
    let Ok(seed) = std::fs::read_to_string(&path) else {
        test_support::skipped(format_args!("{} is not readable here", path.display()));
        return;
    };
    import_with_contacts(&t.db, &seed).await;
    let items = item::Entity::find().count(&t.db).await.expect("count") as usize;
    let smtp = SmtpServer::start();
    let ctx = context(&t.db, &settings(&t, smtp.port));
    // Monday 5 July 2021, after the seed's 6月底 deadlines.
    let outcome = run(&ctx, at("2021-07-05T09:00:00+08:00"))
        .await
        .expect("run");
    assert!(matches!(outcome, Outcome::Sent { .. }), "{outcome:?}");

    let list = entity::project_list::Entity::find()
        .one(&t.db)
        .await
        .expect("query")
        .expect("the seed");
    let ledger = domain::store::ledger::of_list(
        &t.db,
        list.id,
        domain::store::item::Today {
            date: day(2021, 7, 5),
            rule: ctx.bulletin.urgency,
        },
        ctx.timezone,
    )
    .await
    .expect("ledger");
    let overdue = ledger
        .rows
        .iter()
        .filter(|r| r.urgency == domain::urgency::Urgency::Overdue)
        .count();
    assert!(overdue > 0, "the seed has items due by the end of June");

    let received = emails(&smtp);
    assert_eq!(received.len(), 1);
    let message = MessageParser::new()
        .parse(&received[0].data)
        .expect("a parsable message");
    let text = message.body_text(0).expect("text").into_owned();
    assert!(
        text.contains(&format!("共{items}项。逾期{overdue}项")),
        "{text}"
    );
    let attachment = message.attachments().next().expect("the 台账");
    let mut workbook: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(attachment.contents().to_vec())).expect("an xlsx");
    let sheet = workbook
        .worksheet_range_at(0)
        .expect("a sheet")
        .expect("readable");
    assert_eq!(sheet.height(), 2 + items);
}

/// The lead departments without a contact are the office's housekeeping: the office
/// (MINSHENG_SUPERVISOR_EMAIL, here also on MINSHENG_BULLETIN_TO) reads them, once; the leaders'
/// bulletin ends before them.
async fn the_offices_housekeeping_goes_to_the_office_alone(t: TestDb) {
    seed(&t).await;
    let smtp = SmtpServer::start();
    let settings = settings_with(
        &t.url,
        smtp.port,
        Some("duchashi@example.gov.cn"),
        &[
            ("MINSHENG_BULLETIN_TO", TO),
            ("MINSHENG_BULLETIN_CRON", MONDAYS),
        ],
    );
    let ctx = context(&t.db, &settings);
    let outcome = run(&ctx, at(TICK)).await.expect("run");
    assert!(
        matches!(&outcome, Outcome::Sent { recipients: 2, .. }),
        "{outcome:?}"
    );
    let received = smtp.received();
    assert_eq!(received.len(), 2, "one copy each, the office's not twice");
    let read = |to: &str| {
        let r = received
            .iter()
            .find(|r| r.envelope_to.iter().any(|e| e == to))
            .unwrap_or_else(|| panic!("nothing to {to}"));
        let message = MessageParser::new().parse(&r.data).expect("parsable");
        (
            message.body_text(0).expect("text").into_owned(),
            message.body_html(0).expect("html").into_owned(),
            message.message_id().unwrap_or_default().to_owned(),
        )
    };
    let (leaders_text, leaders_html, leaders_id) = read("shizhang@example.gov.cn");
    let (office_text, office_html, office_id) = read("duchashi@example.gov.cn");
    for part in [&leaders_text, &leaders_html] {
        assert!(
            part.contains("五、"),
            "the leaders' bulletin is whole: {part}"
        );
        assert!(!part.contains("未登记联系人"), "{part}");
    }
    for part in [&office_text, &office_html] {
        assert!(part.contains("六、未登记联系人的牵头部门"), "{part}");
        assert!(part.contains("市房屋修缮中心"), "{part}");
    }
    assert_ne!(leaders_id, office_id, "two messages, two Message-IDs");
}

backend_tests!(
    the_offices_housekeeping_goes_to_the_office_alone,
    a_refused_recipient_does_not_keep_the_bulletin_from_the_others,
    the_seed_gets_a_bulletin_that_counts_every_item,
    one_email_per_period_with_its_sections_and_the_ledgers_attached,
    two_workers_at_one_tick_send_one_bulletin,
    a_bulletin_not_sent_in_an_outage_is_sent_by_a_later_run,
    a_pending_bulletin_is_superseded_by_the_next_period,
);
