//! The ledger as a workbook: a title row, a frozen header, widths that fit Chinese text,
//! wrapped cells, dates as Excel dates, rows coloured by urgency (红 overdue, 黄 due soon,
//! 绿 done); the scores on a second sheet. Both print as an office hands them to a leader: A3
//! landscape, one page wide, the title and header on every page, rows tall enough for their
//! wrapped text, and a footer with the page and the 截至 date.

use rust_xlsxwriter::{
    Color, ConditionalFormatFormula, Format, FormatAlign, FormatBorder, Note, Workbook, Worksheet,
    XlsxError, utility,
};

use super::{HEADER, Ledger, LedgerRow};
use crate::urgency::Urgency;

/// Column widths in characters: a Chinese character is about two. Together about 230, which
/// A3 landscape prints one page wide at nearly full size.
const WIDTHS: [f64; 14] = [
    6.0, 22.0, 44.0, 16.0, 11.0, 20.0, 20.0, 9.0, 9.0, 32.0, 22.0, 6.0, 6.0, 11.0,
];
/// rust_xlsxwriter's paper size for A3.
const PAPER_A3: u8 = 8;
/// A row's height per line of text, in points, at the default 11-point font.
const LINE_HEIGHT: f64 = 15.0;

/// Print setup shared by both sheets: A3 landscape, one page wide and as many tall as it takes,
/// rows `0..=repeat` on every page, margins, and a footer with the page and the 截至 date.
fn print_setup(sheet: &mut Worksheet, repeat: u32, as_of: &str) -> Result<(), XlsxError> {
    sheet
        .set_paper_size(PAPER_A3)
        .set_landscape()
        .set_print_fit_to_pages(1, 0)
        .set_print_center_horizontally(true)
        .set_margins(0.4, 0.4, 0.5, 0.6, 0.3, 0.3)
        .set_footer(format!("&L截至{as_of}&C第 &P 页，共 &N 页"));
    sheet.set_repeat_rows(0, repeat)?;
    Ok(())
}

/// How many lines `text` wraps to in a column `width` characters wide, counting its own line
/// breaks.
fn wrapped_lines(text: &str, width: f64) -> usize {
    let per_line = width.max(1.0);
    text.split('\n')
        .map(|line| {
            // A Chinese character prints about 1.8 digits wide in Calc's and Excel's default
            // fonts; counting 2 left a third of each tall row blank.
            let columns: f64 = line
                .chars()
                .map(|c| if c.is_ascii() { 1.0 } else { 1.8 })
                .sum();
            (columns / per_line).ceil().max(1.0) as usize
        })
        .sum::<usize>()
        .max(1)
}
const DATE: &str = "yyyy-mm-dd";

fn fill(urgency: Urgency) -> Option<Color> {
    match urgency {
        Urgency::Overdue => Some(Color::RGB(0xF8CBAD)),
        Urgency::DueSoon => Some(Color::RGB(0xFFE699)),
        Urgency::Done => Some(Color::RGB(0xC6E0B4)),
        Urgency::OnTrack | Urgency::Ongoing => None,
    }
}

pub fn to_xlsx(ledger: &Ledger) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    items_sheet(workbook.add_worksheet(), ledger)?;
    scores_sheet(workbook.add_worksheet(), ledger)?;
    workbook.save_to_buffer()
}

fn items_sheet(sheet: &mut Worksheet, ledger: &Ledger) -> Result<(), XlsxError> {
    sheet.set_name("台账")?;
    let title = Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center);
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_border(FormatBorder::Thin)
        .set_background_color(Color::RGB(0xD9E1F2));
    let last_col = (HEADER.len() - 1) as u16;
    sheet.merge_range(
        0,
        0,
        0,
        last_col,
        &format!("{}（截至{}）", ledger.title, ledger.as_of),
        &title,
    )?;
    for (col, name) in HEADER.iter().enumerate() {
        sheet.write_string_with_format(1, col as u16, *name, &header)?;
        sheet.set_column_width(col as u16, WIDTHS[col])?;
    }
    sheet.set_freeze_panes(2, 0)?;
    print_setup(sheet, 1, &ledger.as_of.to_string())?;

    // Cells carry no format of their own: each column has one (wrapped, top-aligned; dates as
    // dates), which Excel applies to the cells in it. Borders and the urgency colours are
    // conditional formats over the item rows, keyed on the 紧急程度 cell, so that a row an
    // officer re-sorts or re-labels keeps the right colour. A format per cell was also the
    // writer's largest cost: rust_xlsxwriter hashes it on every write.
    let text = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let date = text.clone().set_num_format(DATE);
    for col in 0..HEADER.len() as u16 {
        let format = if DATE_COLUMNS.contains(&col) {
            &date
        } else {
            &text
        };
        sheet.set_column_format(col, format)?;
    }
    for (i, row) in ledger.rows.iter().enumerate() {
        write_item(sheet, FIRST_ROW + i as u32, row)?;
    }
    if !ledger.rows.is_empty() {
        let last_row = FIRST_ROW + ledger.rows.len() as u32 - 1;
        let urgency = utility::column_number_to_name(URGENCY_COLUMN);
        let bordered = Format::new().set_border(FormatBorder::Thin);
        // In this order: LibreOffice applies only the first rule that holds, Excel all of
        // them, so each coloured rule carries the border too.
        for kind in [Urgency::Overdue, Urgency::DueSoon, Urgency::Done] {
            let Some(color) = fill(kind) else { continue };
            let formula = format!(
                "=${urgency}{}=\"{}\"",
                FIRST_ROW + 1,
                super::urgency_label(kind)
            );
            let rule = ConditionalFormatFormula::new()
                .set_rule(formula.as_str())
                .set_format(bordered.clone().set_background_color(color));
            sheet.add_conditional_format(FIRST_ROW, 0, last_row, last_col, &rule)?;
        }
        let rest = ConditionalFormatFormula::new()
            .set_rule("=TRUE")
            .set_format(bordered);
        sheet.add_conditional_format(FIRST_ROW, 0, last_row, last_col, &rest)?;
    }
    Ok(())
}

/// The first item row (0-based): below the title and the header.
const FIRST_ROW: u32 = 2;
/// 到期日 and 完成日期.
const DATE_COLUMNS: [u16; 2] = [4, 13];
/// 紧急程度, which the row's colour follows.
const URGENCY_COLUMN: u16 = 8;

fn write_item(sheet: &mut Worksheet, r: u32, row: &LedgerRow) -> Result<(), XlsxError> {
    // Owned cells, moved into the sheet: rust_xlsxwriter takes a `String` and would copy a
    // borrowed one.
    let cells = row.cells();
    // A height set on the row itself: not every reader grows a row to its wrapped text on
    // opening, and a printed row cut to one line hides the rest.
    let lines = cells
        .iter()
        .enumerate()
        .map(|(col, value)| wrapped_lines(value, WIDTHS[col]))
        .max()
        .unwrap_or(1);
    sheet.set_row_height(r, lines as f64 * LINE_HEIGHT + 3.0)?;
    for (col, value) in cells.into_iter().enumerate() {
        let col = col as u16;
        match col {
            // 到期日: the earliest active due date as an Excel date (the one urgency follows);
            // with several, a note on the cell lists them all.
            4 => {
                if let Some(first) = row.due_dates.first() {
                    if row.due_dates.len() > 1 {
                        sheet.insert_note(r, col, &Note::new(format!("全部到期日：\n{value}")))?;
                    }
                    sheet.write_datetime(r, col, *first)?;
                }
            }
            11 => {
                sheet.write_number(r, col, row.reminders_sent as f64)?;
            }
            13 => {
                if let Some(day) = row.completed_on {
                    sheet.write_datetime(r, col, day)?;
                }
            }
            _ if value.is_empty() => {}
            _ => {
                sheet.write_string(r, col, value)?;
            }
        }
    }
    Ok(())
}

fn scores_sheet(sheet: &mut Worksheet, ledger: &Ledger) -> Result<(), XlsxError> {
    sheet.set_name("考评")?;
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_background_color(Color::RGB(0xD9E1F2));
    let cell = Format::new().set_border(FormatBorder::Thin);
    let names = [
        "牵头部门",
        "牵头事项",
        "按时办结",
        "逾期办结",
        "当前逾期",
        "最长逾期天数",
        "平均逾期天数",
        "延期申请",
        "延期获批",
        "提醒次数",
        "已签收",
    ];
    for (col, name) in names.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *name, &header)?;
        sheet.set_column_width(col as u16, if col == 0 { 24.0 } else { 10.0 })?;
    }
    sheet.set_freeze_panes(1, 0)?;
    print_setup(sheet, 0, &ledger.as_of.to_string())?;
    for (i, (name, s)) in ledger.scores.iter().enumerate() {
        let r = 1 + i as u32;
        sheet.write_string_with_format(r, 0, name, &cell)?;
        let numbers = [
            s.items_led as f64,
            s.done_on_time as f64,
            s.done_late as f64,
            s.overdue_now as f64,
            s.max_days_overdue as f64,
        ];
        for (j, n) in numbers.iter().enumerate() {
            sheet.write_number_with_format(r, 1 + j as u16, *n, &cell)?;
        }
        match s.average_days_late {
            Some(avg) => sheet.write_number_with_format(r, 6, avg, &cell)?,
            None => sheet.write_blank(r, 6, &cell)?,
        };
        let rest = [
            s.extensions_requested as f64,
            s.extensions_approved as f64,
            s.reminders_sent as f64,
            s.reminders_acknowledged as f64,
        ];
        for (j, n) in rest.iter().enumerate() {
            sheet.write_number_with_format(r, 7 + j as u16, *n, &cell)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::wrapped_lines;

    #[test]
    fn rows_grow_with_their_wrapped_text() {
        assert_eq!(wrapped_lines("", 10.0), 1);
        assert_eq!(wrapped_lines("short", 10.0), 1);
        // Ten Chinese characters print about 18 digits wide: two lines of a 10-wide column.
        assert_eq!(wrapped_lines("一二三四五六七八九十", 10.0), 2);
        assert_eq!(wrapped_lines("第一行\n第二行\n第三行", 40.0), 3);
    }
}
