//! `Item`: one numbered item (事项) of a list.

use crate::graphql::ids::Kind;
use async_graphql::{Context, ID, Object, Result, connection::Connection};
use chrono::{DateTime, FixedOffset, NaiveDate, SecondsFormat, Utc};
use domain::{
    DomainError,
    model::{self, Assignment, DepartmentRole},
    store::{
        item,
        item::{ItemOrderField, ItemSortKey, Today},
        page::Position,
    },
};
use sea_orm::DatabaseConnection;

use super::{
    Department, DueDate, ItemStatus, ProgressReport, ProjectList, ReminderDelivery, Urgency,
    progress_connection,
};
use crate::graphql::{
    auth, clock,
    connection::{self, PageArgs},
    error::to_graphql,
    ids,
    loaders::{
        ActiveDueDatesOf, AssignmentsOf, DeliveriesOf, DueDateHistoryOf, ListKey, load_group,
        load_if, load_one,
    },
};

#[derive(Clone)]
pub struct Item(pub model::Item);

// Fields resolve one after another (`serial`): most are plain reads, and the loads are
// prefetched by whatever listed the item or batch across siblings, which still resolve
// concurrently. Racing each field in a `FuturesUnordered` cost about 5% of a page (issue 14).
/// One numbered item (事项) of a list.
#[Object(serial)]
impl Item {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Item, self.0.id)
    }

    async fn number(&self) -> i32 {
        self.0.number
    }

    /// The number as printed, e.g. `十九`.
    async fn number_text(&self) -> &str {
        &self.0.number_text
    }

    async fn title(&self) -> &str {
        &self.0.title
    }

    /// 事项内容
    async fn content(&self) -> &str {
        &self.0.content
    }

    /// 完成时限, verbatim.
    async fn deadline_text(&self) -> &str {
        &self.0.deadline_text
    }

    /// 长期坚持: the work continues past any dated milestone.
    async fn ongoing(&self) -> bool {
        self.0.ongoing
    }

    async fn status(&self) -> ItemStatus {
        self.0.status.into()
    }

    /// Phrases printed where a department was expected (e.g. 各县区政府), kept verbatim.
    async fn generic_phrases(&self) -> &[String] {
        &self.0.generic_phrases
    }

    /// The category heading the item is printed under (`教育文化` under `一、教育文化`); null in
    /// lists without categories.
    async fn category(&self) -> Option<&str> {
        self.0.category.as_deref()
    }

    /// People the list names on the item (牵头领导, 项目责任人). They are people, not
    /// departments: no reminder goes to them.
    async fn responsible_people(&self) -> &[String] {
        &self.0.responsible_people
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// The active due dates, earliest first; with `history: true` every version, including
    /// those replaced by a deadline change.
    async fn due_dates(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false)] history: bool,
    ) -> Result<Vec<DueDate>> {
        let dates = if history {
            load_group(ctx, DueDateHistoryOf(self.0.id)).await?
        } else {
            load_group(ctx, ActiveDueDatesOf(self.0.id)).await?
        };
        Ok(dates.iter().cloned().map(DueDate).collect())
    }

    /// The earliest active due date on or after today; null when none is left.
    async fn next_due_date(
        &self,
        ctx: &Context<'_>,
        now: Option<DateTime<FixedOffset>>,
    ) -> Result<Option<DueDate>> {
        let today = clock::today(ctx, now)?;
        let dates = load_group(ctx, ActiveDueDatesOf(self.0.id)).await?;
        Ok(dates
            .iter()
            .filter(|d| d.due_on >= today.date)
            .min_by_key(|d| (d.due_on, d.id))
            .cloned()
            .map(DueDate))
    }

    /// Days from today to the earliest active due date: 0 on the day, negative once passed;
    /// null without a dated deadline.
    async fn days_remaining(
        &self,
        ctx: &Context<'_>,
        now: Option<DateTime<FixedOffset>>,
    ) -> Result<Option<i64>> {
        let today = clock::today(ctx, now)?;
        Ok(self
            .0
            .earliest_due_on
            .map(|due| due.signed_duration_since(today.date).num_days()))
    }

    /// How pressing the item is today (thresholds from configuration).
    async fn urgency(
        &self,
        ctx: &Context<'_>,
        now: Option<DateTime<FixedOffset>>,
    ) -> Result<Urgency> {
        let today = clock::today(ctx, now)?;
        Ok(today
            .rule
            .classify(self.0.status, self.0.earliest_due_on, today.date)
            .into())
    }

    /// 牵头部门, in printed order.
    async fn lead_departments(&self, ctx: &Context<'_>) -> Result<Vec<Department>> {
        self.departments(ctx, DepartmentRole::Lead).await
    }

    /// 配合部门, in printed order.
    async fn cooperating_departments(&self, ctx: &Context<'_>) -> Result<Vec<Department>> {
        self.departments(ctx, DepartmentRole::Cooperating).await
    }

    async fn list(&self, ctx: &Context<'_>) -> Result<ProjectList> {
        load_one(ctx, ListKey(self.0.list_id))
            .await?
            .map(ProjectList)
            .ok_or_else(|| "the item's list is gone".into())
    }

    /// Progress reports (进展), newest first.
    #[graphql(
        complexity = "crate::graphql::connection::cost(__field, first, None, child_complexity)"
    )]
    async fn progress(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, ProgressReport>> {
        // Boxed, as are the other fields that query the database themselves: every field of an
        // item is resolved through one future as large as its largest field's, moved into the
        // field set for each field of each item of a page.
        Box::pin(progress_connection(
            ctx,
            self.0.id,
            PageArgs {
                first,
                after,
                ..Default::default()
            },
        ))
        .await
    }

    /// The day the office confirmed the item done (销号); null until then.
    async fn completed_on(&self) -> Option<crate::graphql::scalars::Date> {
        self.0.completed_on.map(crate::graphql::scalars::Date)
    }

    /// Whether it was completed by its final due date (the latest active one); null until it
    /// is done, or without a dated deadline.
    async fn completed_on_time(&self, ctx: &Context<'_>) -> Result<Option<bool>> {
        let Some(completed) = self.0.completed_on else {
            return Ok(None);
        };
        let dates = load_group(ctx, ActiveDueDatesOf(self.0.id)).await?;
        Ok(dates
            .iter()
            .map(|d| d.due_on)
            .max()
            .map(|due| completed <= due))
    }

    /// 延期申请 about this item, oldest first, decided ones included: administrators, and the
    /// departments with a part in the item.
    async fn deadline_change_requests(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<super::DeadlineChangeRequest>> {
        Box::pin(async move {
            super::may_read_records_of(ctx, self.0.id).await?;
            let db = ctx.data::<DatabaseConnection>()?;
            let filter = item::extension::RequestFilter {
                item_id: Some(self.0.id),
                ..Default::default()
            };
            Ok(item::extension::list(db, &filter, 1000)
                .await
                .map_err(to_graphql)?
                .into_iter()
                .map(super::DeadlineChangeRequest)
                .collect())
        })
        .await
    }

    /// Every step taken on the item (留痕), oldest first: imports, corrections, assignments,
    /// progress, 延期 requests and decisions, completion reports, 销号 and 退办. Administrators,
    /// and the departments with a part in the item.
    async fn history(&self, ctx: &Context<'_>) -> Result<Vec<super::AuditEvent>> {
        Box::pin(async move {
            super::may_read_records_of(ctx, self.0.id).await?;
            let db = ctx.data::<DatabaseConnection>()?;
            Ok(domain::store::audit::of_record(
                db,
                domain::store::audit::RecordKind::Item,
                self.0.id,
            )
            .await
            .map_err(to_graphql)?
            .into_iter()
            .map(super::AuditEvent)
            .collect())
        })
        .await
    }

    /// Reminders planned and sent for this item, newest first: all of them for administrators,
    /// a department's own for its token.
    async fn deliveries(&self, ctx: &Context<'_>) -> Result<Vec<ReminderDelivery>> {
        let mine = auth::reading_for(ctx)?;
        let rows = load_group(ctx, DeliveriesOf(self.0.id)).await?;
        Ok(rows
            .iter()
            .filter(|(_, d)| mine.is_none_or(|department| d.department_id == department))
            .map(|(_, d)| ReminderDelivery(d.clone()))
            .collect())
    }
}

impl Item {
    /// The columns a page must read for these fields of its items: each field's own (the id is
    /// always read). A field this does not name reads every column, so that a field added
    /// without a line here is slower, never wrong; `every_item_field_reads_what_it_shows`
    /// (api/tests/graph.rs) checks each field against a whole read.
    pub fn columns_for(fields: &[&str]) -> item::ItemColumns {
        use item::ItemColumn as C;
        let mut columns = item::ItemColumns::ID;
        for field in fields {
            let own: &[C] = match *field {
                "__typename"
                | "id"
                | "dueDates"
                | "nextDueDate"
                | "leadDepartments"
                | "cooperatingDepartments"
                | "progress"
                | "deadlineChangeRequests"
                | "history"
                | "deliveries" => &[],
                "number" => &[C::Number],
                "numberText" => &[C::NumberText],
                "title" => &[C::Title],
                "content" => &[C::Content],
                "deadlineText" => &[C::DeadlineText],
                "ongoing" => &[C::Ongoing],
                "status" => &[C::Status],
                "genericPhrases" => &[C::GenericPhrases],
                "category" => &[C::Category],
                "responsiblePeople" => &[C::ResponsiblePeople],
                "createdAt" => &[C::CreatedAt],
                "updatedAt" => &[C::UpdatedAt],
                "daysRemaining" => &[C::EarliestDueOn],
                "urgency" => &[C::Status, C::EarliestDueOn],
                "list" => &[C::ListId],
                "completedOn" | "completedOnTime" => &[C::CompletedOn],
                _ => return item::ItemColumns::ALL,
            };
            columns = own.iter().fold(columns, |c, column| c.with(*column));
        }
        columns
    }

    async fn departments(
        &self,
        ctx: &Context<'_>,
        role: DepartmentRole,
    ) -> Result<Vec<Department>> {
        let assignments = load_group(ctx, AssignmentsOf(self.0.id)).await?;
        let mut mine: Vec<&Assignment> = assignments.iter().filter(|a| a.role == role).collect();
        mine.sort_by_key(|a| a.position);
        Ok(mine
            .into_iter()
            .map(|a| Department(a.department.clone()))
            .collect())
    }
}

/// `totalCount` of an item connection, counted only when asked for.
pub struct ItemCount {
    filter: item::ItemFilter,
    today: Today,
}

#[Object]
impl ItemCount {
    /// How many items match, across all pages.
    #[graphql(complexity = "crate::graphql::connection::TOTAL_COUNT_COST")]
    async fn total_count(&self, ctx: &Context<'_>) -> Result<u64> {
        let db = ctx.data::<DatabaseConnection>()?;
        item::count(db, &self.filter, self.today)
            .await
            .map_err(to_graphql)
    }
}

/// A page of the items `filter` selects, as a Relay connection.
pub async fn item_connection(
    ctx: &Context<'_>,
    filter: item::ItemFilter,
    order: item::ItemOrder,
    args: PageArgs,
    today: Today,
) -> Result<Connection<String, Item, ItemCount>> {
    let db = ctx.data::<DatabaseConnection>()?;
    let kind = cursor_kind(order.field);
    let request = args
        .request(|c, field| decode_position(order, kind, c, field))
        .map_err(to_graphql)?;
    let asked = connection::node_fields(ctx);
    let asks = |fields: &[&str]| fields.iter().any(|f| asked.contains(f));
    let columns = Item::columns_for(&asked);
    let page = item::page(db, &filter, today, order, &request, columns)
        .await
        .map_err(to_graphql)?;
    let ids: Vec<i64> = page.rows.iter().map(|i| i.id).collect();
    let mut list_ids: Vec<i64> = page.rows.iter().map(|i| i.list_id).collect();
    list_ids.dedup();
    // Concurrently: each relation is one statement on its own pooled connection.
    futures_util::try_join!(
        load_if(
            ctx,
            asks(&["leadDepartments", "cooperatingDepartments"]),
            ids.iter().map(|id| AssignmentsOf(*id)).collect(),
        ),
        load_if(
            ctx,
            asks(&["dueDates", "nextDueDate"]),
            ids.iter().map(|id| ActiveDueDatesOf(*id)).collect(),
        ),
        load_if(
            ctx,
            asks(&["list"]),
            list_ids.into_iter().map(ListKey).collect()
        ),
    )?;
    Ok(connection::build(
        &request,
        page,
        |item| ids::cursor(kind, &key_text(&order.key_of(item)), item.id),
        Item,
        ItemCount { filter, today },
    ))
}

fn cursor_kind(field: ItemOrderField) -> &'static str {
    match field {
        ItemOrderField::DueDate => "items.due",
        ItemOrderField::Number => "items.number",
        ItemOrderField::Updated => "items.updated",
    }
}

fn key_text(key: &ItemSortKey) -> String {
    match key {
        ItemSortKey::Date(d) => d.format("%Y-%m-%d").to_string(),
        ItemSortKey::Number(n) => n.to_string(),
        ItemSortKey::Instant(t) => t.to_rfc3339_opts(SecondsFormat::Nanos, true),
    }
}

fn decode_position(
    order: item::ItemOrder,
    kind: &str,
    cursor: &str,
    field: &str,
) -> Result<Position<ItemSortKey>, DomainError> {
    let (text, id) = ids::decode_cursor(kind, cursor, field)?;
    let invalid = || DomainError::validation(field, "not a cursor from this field and ordering");
    let key = match order.field {
        ItemOrderField::DueDate => {
            ItemSortKey::Date(NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|_| invalid())?)
        }
        ItemOrderField::Number => ItemSortKey::Number(text.parse().map_err(|_| invalid())?),
        ItemOrderField::Updated => ItemSortKey::Instant(
            DateTime::parse_from_rfc3339(&text)
                .map_err(|_| invalid())?
                .with_timezone(&Utc),
        ),
    };
    if !order.accepts(&key) {
        return Err(invalid());
    }
    Ok(Position { key, id })
}
