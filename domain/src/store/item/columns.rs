//! Which of an item's columns a read brings back, and reading them by position.
//!
//! Decoding a column is most of what a page of items costs the api beyond its one statement:
//! every value goes through a type check and a decode, a timestamp through calendar arithmetic,
//! a JSON array through a parse. A page of 50 items read whole was about a fifth of the api's
//! time on a flat page (issue 14), most of it for columns the page did not show. So a page
//! reads the columns its selection needs ([`ItemColumns`]) and leaves the rest of each
//! [`Item`] empty: a caller that narrows the columns must not look at the others.

use chrono::{DateTime, Utc};
use sea_orm::{DbErr, FromQueryResult, QueryResult, QuerySelect, Select};

use crate::model::{Item, ItemStatus};
use entity::item;

/// One column of an item that a read may leave out. The id is always read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ItemColumn {
    ListId,
    Number,
    NumberText,
    Title,
    Content,
    DeadlineText,
    Ongoing,
    Status,
    GenericPhrases,
    EarliestDueOn,
    CreatedAt,
    UpdatedAt,
    CompletedOn,
    Category,
    ResponsiblePeople,
}

impl ItemColumn {
    /// Every column, in the order a read selects them (after the id).
    pub const ALL: [ItemColumn; 15] = [
        ItemColumn::ListId,
        ItemColumn::Number,
        ItemColumn::NumberText,
        ItemColumn::Title,
        ItemColumn::Content,
        ItemColumn::DeadlineText,
        ItemColumn::Ongoing,
        ItemColumn::Status,
        ItemColumn::GenericPhrases,
        ItemColumn::EarliestDueOn,
        ItemColumn::CreatedAt,
        ItemColumn::UpdatedAt,
        ItemColumn::CompletedOn,
        ItemColumn::Category,
        ItemColumn::ResponsiblePeople,
    ];

    fn entity(self) -> item::Column {
        match self {
            ItemColumn::ListId => item::Column::ListId,
            ItemColumn::Number => item::Column::Number,
            ItemColumn::NumberText => item::Column::NumberText,
            ItemColumn::Title => item::Column::Title,
            ItemColumn::Content => item::Column::Content,
            ItemColumn::DeadlineText => item::Column::DeadlineText,
            ItemColumn::Ongoing => item::Column::Ongoing,
            ItemColumn::Status => item::Column::Status,
            ItemColumn::GenericPhrases => item::Column::GenericPhrases,
            ItemColumn::EarliestDueOn => item::Column::EarliestDueOn,
            ItemColumn::CreatedAt => item::Column::CreatedAt,
            ItemColumn::UpdatedAt => item::Column::UpdatedAt,
            ItemColumn::CompletedOn => item::Column::CompletedOn,
            ItemColumn::Category => item::Column::Category,
            ItemColumn::ResponsiblePeople => item::Column::ResponsiblePeople,
        }
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

/// A set of [`ItemColumn`]s: the columns a read brings back besides the id. A column left out
/// reads as its type's empty value (empty text, 0, false, `Open`, none, the Unix epoch).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ItemColumns(u16);

impl ItemColumns {
    /// Every column: what every read but a page's uses.
    pub const ALL: Self = Self((1 << ItemColumn::ALL.len()) - 1);
    /// The id alone.
    pub const ID: Self = Self(0);

    /// These columns and `column`.
    #[must_use]
    pub fn with(self, column: ItemColumn) -> Self {
        Self(self.0 | column.bit())
    }

    /// Whether the read brings `column` back.
    pub fn has(self, column: ItemColumn) -> bool {
        self.0 & column.bit() != 0
    }

    /// The columns in the order they are selected.
    pub fn iter(self) -> impl Iterator<Item = ItemColumn> {
        ItemColumn::ALL.into_iter().filter(move |c| self.has(*c))
    }

    /// The id and these columns, in the order they are selected.
    pub(crate) fn entity_columns(self) -> impl Iterator<Item = item::Column> {
        std::iter::once(item::Column::Id).chain(self.iter().map(ItemColumn::entity))
    }

    /// `select` narrowed to the id and these columns, in their order.
    pub(crate) fn select(self, select: Select<item::Entity>) -> Select<item::Entity> {
        self.entity_columns()
            .fold(select.select_only(), |select, column| select.column(column))
    }

    /// The item in `row`, read as [`select`](Self::select) laid it out from index `at`.
    pub(crate) fn decode(self, row: &QueryResult, at: usize) -> Result<Item, DbErr> {
        let mut item = Item {
            id: row.try_get_by_index(at)?,
            list_id: 0,
            number: 0,
            number_text: String::new(),
            title: String::new(),
            content: String::new(),
            deadline_text: String::new(),
            ongoing: false,
            status: ItemStatus::Open,
            generic_phrases: Vec::new(),
            earliest_due_on: None,
            completed_on: None,
            category: None,
            responsible_people: Vec::new(),
            created_at: DateTime::<Utc>::UNIX_EPOCH,
            updated_at: DateTime::<Utc>::UNIX_EPOCH,
        };
        for (i, column) in (at + 1..).zip(self.iter()) {
            match column {
                ItemColumn::ListId => item.list_id = row.try_get_by_index(i)?,
                ItemColumn::Number => item.number = row.try_get_by_index(i)?,
                ItemColumn::NumberText => item.number_text = row.try_get_by_index(i)?,
                ItemColumn::Title => item.title = row.try_get_by_index(i)?,
                ItemColumn::Content => item.content = row.try_get_by_index(i)?,
                ItemColumn::DeadlineText => item.deadline_text = row.try_get_by_index(i)?,
                ItemColumn::Ongoing => item.ongoing = row.try_get_by_index(i)?,
                ItemColumn::Status => item.status = row.try_get_by_index(i)?,
                ItemColumn::GenericPhrases => {
                    item.generic_phrases = strings(row.try_get_by_index(i)?);
                }
                ItemColumn::EarliestDueOn => item.earliest_due_on = row.try_get_by_index(i)?,
                ItemColumn::CreatedAt => item.created_at = row.try_get_by_index(i)?,
                ItemColumn::UpdatedAt => item.updated_at = row.try_get_by_index(i)?,
                ItemColumn::CompletedOn => item.completed_on = row.try_get_by_index(i)?,
                ItemColumn::Category => item.category = row.try_get_by_index(i)?,
                ItemColumn::ResponsiblePeople => {
                    item.responsible_people = strings(row.try_get_by_index(i)?);
                }
            }
        }
        Ok(item)
    }

    /// How many values a row of [`select`](Self::select) holds.
    pub(crate) fn width(self) -> usize {
        1 + self.0.count_ones() as usize
    }
}

impl std::fmt::Debug for ItemColumns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

/// A JSON array of strings as stored; anything else as none.
fn strings(value: serde_json::Value) -> Vec<String> {
    serde_json::from_value(value).unwrap_or_default()
}

/// A whole item, read by position: for reads that take every column.
pub(crate) struct ItemRow(pub Item);

impl FromQueryResult for ItemRow {
    fn from_query_result(row: &QueryResult, _pre: &str) -> Result<Self, DbErr> {
        ItemColumns::ALL.decode(row, 0).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_has_its_own_bit_and_all_holds_them_all() {
        let mut seen = ItemColumns::ID;
        for column in ItemColumn::ALL {
            assert!(!seen.has(column), "{column:?} shares a bit");
            seen = seen.with(column);
            assert!(ItemColumns::ALL.has(column));
        }
        assert_eq!(seen, ItemColumns::ALL);
        assert_eq!(ItemColumns::ALL.width(), 16);
        assert_eq!(ItemColumns::ID.width(), 1);
    }

    #[test]
    fn columns_keep_the_selection_order_whatever_the_order_they_were_added_in() {
        let columns = ItemColumns::ID
            .with(ItemColumn::Status)
            .with(ItemColumn::Title)
            .with(ItemColumn::Number);
        assert_eq!(
            columns.iter().collect::<Vec<_>>(),
            [ItemColumn::Number, ItemColumn::Title, ItemColumn::Status]
        );
        assert_eq!(columns.width(), 4);
        assert_eq!(
            format!("{columns:?}"),
            "{Number, Title, Status}",
            "Debug names the columns"
        );
    }
}
