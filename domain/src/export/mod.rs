//! The 台账 (ledger of items) the office sends upward, as a workbook or a CSV: one row per item
//! in the list's order, and the department scores on a second sheet. Written with maintained
//! libraries (rust_xlsxwriter, csv); the rows are plain data the store gathers.

mod xlsx;

use chrono::NaiveDate;

pub use xlsx::to_xlsx;

use crate::{model::ItemStatus, scores::DepartmentScore, urgency::Urgency};

/// The two forms the ledger is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Csv,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
        }
    }
}

/// A list's ledger as of a day.
#[derive(Clone, Debug, PartialEq)]
pub struct Ledger {
    pub title: String,
    pub as_of: NaiveDate,
    pub rows: Vec<LedgerRow>,
    /// Lead departments' scores (name, score), for the second sheet.
    pub scores: Vec<(String, DepartmentScore)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LedgerRow {
    pub item_id: i64,
    pub number_text: String,
    pub title: String,
    pub content: String,
    pub deadline_text: String,
    /// The active due dates, earliest first.
    pub due_dates: Vec<NaiveDate>,
    /// The final milestone's active due date (the latest, when stages are printed too).
    pub final_due_on: Option<NaiveDate>,
    pub lead: Vec<String>,
    pub cooperating: Vec<String>,
    pub status: ItemStatus,
    pub urgency: Urgency,
    /// The latest progress report: (day, department or 办公室, note).
    pub latest_progress: Option<(NaiveDate, String, String)>,
    /// Every due-date version after the first: (version, date, why).
    pub deadline_changes: Vec<(i32, NaiveDate, String)>,
    /// Whether the office moved its deadline (an approved 延期申请, or its own 改期), as opposed
    /// to a corrected list: finished by the new date is 延期后按期办结.
    pub extended: bool,
    pub reminders_sent: u64,
    /// Whether every reminder sent was acknowledged; `None` when none was sent.
    pub acknowledged: Option<bool>,
    /// The day the office confirmed completion (销号).
    pub completed_on: Option<NaiveDate>,
}

/// The header of the item sheet, in column order.
pub const HEADER: [&str; 14] = [
    "序号",
    "事项",
    "事项内容",
    "完成时限",
    "到期日",
    "牵头部门",
    "配合部门",
    "状态",
    "紧急程度",
    "最新进展",
    "延期记录",
    "提醒次数",
    "已签收",
    "完成日期",
];

pub fn status_label(status: ItemStatus) -> &'static str {
    match status {
        ItemStatus::Open => "未开始",
        ItemStatus::InProgress => "推进中",
        ItemStatus::CompletionReported => "已报办结",
        ItemStatus::Done => "已办结",
        ItemStatus::Closed => "已撤销",
    }
}

pub fn urgency_label(urgency: Urgency) -> &'static str {
    match urgency {
        Urgency::Overdue => "逾期",
        Urgency::DueSoon => "临期",
        Urgency::OnTrack => "正常",
        Urgency::Ongoing => "长期",
        Urgency::Done => "已完成",
    }
}

impl LedgerRow {
    fn progress_text(&self) -> String {
        self.latest_progress
            .as_ref()
            .map(|(day, who, note)| format!("{day} {who}：{note}"))
            .unwrap_or_default()
    }

    fn changes_text(&self) -> String {
        self.deadline_changes
            .iter()
            .map(|(v, day, why)| format!("第{v}版 {day}：{why}"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn acknowledged_text(&self) -> &'static str {
        match self.acknowledged {
            None => "",
            Some(true) => "是",
            Some(false) => "否",
        }
    }

    /// The row's cells as text, as the CSV has them.
    pub fn cells(&self) -> Vec<String> {
        vec![
            self.number_text.clone(),
            self.title.clone(),
            self.content.clone(),
            self.deadline_text.clone(),
            self.due_dates
                .iter()
                .map(NaiveDate::to_string)
                .collect::<Vec<_>>()
                .join("\n"),
            self.lead.join("、"),
            self.cooperating.join("、"),
            status_label(self.status).to_owned(),
            urgency_label(self.urgency).to_owned(),
            self.progress_text(),
            self.changes_text(),
            self.reminders_sent.to_string(),
            self.acknowledged_text().to_owned(),
            self.completed_on.map(|d| d.to_string()).unwrap_or_default(),
        ]
    }
}

/// A cell that a spreadsheet shows as the text it is, never evaluates (OWASP's advice on CSV
/// injection): one that begins with `=`, `+`, `-`, `@`, a tab or a carriage return, as
/// `=HYPERLINK(…)` or `+cmd|' /C calc'!A0` would, gets a leading apostrophe, so that the
/// spreadsheet reads it as text (the apostrophe shows; the formula never runs).
pub fn inert(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// The ledger as CSV: UTF-8 with a byte-order mark (so that Excel reads it as UTF-8), a title
/// line, the header, one line per item. Every cell is [`inert`]: titles and names come from
/// lists published outside.
pub fn to_csv(ledger: &Ledger) -> Result<Vec<u8>, csv::Error> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut writer = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(&mut out);
        writer.write_record([
            inert(&format!("{}（截至{}）", ledger.title, ledger.as_of)).as_bytes()
        ])?;
        writer.write_record(HEADER)?;
        for row in &ledger.rows {
            let cells = row.cells();
            writer.write_record(
                cells
                    .iter()
                    .map(|cell| inert(cell))
                    .collect::<Vec<_>>()
                    .iter()
                    .map(|c| c.as_bytes()),
            )?;
        }
        writer.flush()?;
    }
    Ok(out)
}
