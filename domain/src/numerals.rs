//! Chinese item numbers: 一 … 九十九 (and up to 九百九十九), as printed in list headings.

/// The value of a Chinese numeral such as `十九`, `二十六`, `一百零五`; `None` if malformed.
pub fn chinese_to_number(text: &str) -> Option<u32> {
    let digit = |c: char| {
        "零一二三四五六七八九"
            .chars()
            .position(|d| d == c)
            .map(|p| p as u32)
    };
    let chars: Vec<char> = text
        .chars()
        .map(|c| if c == '〇' { '零' } else { c })
        .collect();
    if chars.is_empty() {
        return None;
    }
    let mut total = 0;
    let mut pending: Option<u32> = None;
    let mut last_unit = u32::MAX;
    for c in chars {
        // 零 only holds a place (一百零五); it adds nothing.
        if c == '零' {
            continue;
        }
        let unit = match c {
            '百' => 100,
            '十' => 10,
            _ => {
                if pending.is_some() {
                    return None; // two digits in a row: 二三
                }
                pending = Some(digit(c)?);
                continue;
            }
        };
        if unit >= last_unit {
            return None; // 十十, 十百
        }
        // A bare 十 at the start means 一十.
        total += pending.take().unwrap_or(1) * unit;
        last_unit = unit;
    }
    let value = total + pending.unwrap_or(0);
    (value > 0).then_some(value)
}

/// The numeral a list prints for `value` (1 to 999): `十九`, `二十六`, `一百零五`.
pub fn number_to_chinese(value: u32) -> Option<String> {
    const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    if !(1..=999).contains(&value) {
        return None;
    }
    let (hundreds, tens, ones) = (value / 100, value / 10 % 10, value % 10);
    let mut text = String::new();
    if hundreds > 0 {
        text.push(DIGITS[hundreds as usize]);
        text.push('百');
    }
    if tens > 0 {
        // 十九, not 一十九; but 一百一十 keeps its 一.
        if !(hundreds == 0 && tens == 1) {
            text.push(DIGITS[tens as usize]);
        }
        text.push('十');
    } else if hundreds > 0 && ones > 0 {
        text.push('零');
    }
    if ones > 0 {
        text.push(DIGITS[ones as usize]);
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::chinese_to_number as n;

    #[test]
    fn writes_the_numbers_lists_print_and_reads_them_back() {
        for (value, text) in [
            (1, "一"),
            (10, "十"),
            (19, "十九"),
            (26, "二十六"),
            (105, "一百零五"),
            (110, "一百一十"),
            (999, "九百九十九"),
        ] {
            assert_eq!(super::number_to_chinese(value).as_deref(), Some(text));
        }
        for value in 1..=999 {
            let text = super::number_to_chinese(value).expect("in range");
            assert_eq!(n(&text), Some(value), "{text}");
        }
        assert_eq!(super::number_to_chinese(0), None);
        assert_eq!(super::number_to_chinese(1000), None);
    }

    #[test]
    fn reads_the_numbers_lists_use() {
        let cases = [
            ("一", 1),
            ("九", 9),
            ("十", 10),
            ("十一", 11),
            ("十九", 19),
            ("二十", 20),
            ("二十六", 26),
            ("九十九", 99),
            ("一百", 100),
            ("一百零五", 105),
            ("一百二十", 120),
        ];
        for (text, value) in cases {
            assert_eq!(n(text), Some(value), "{text}");
        }
    }

    #[test]
    fn rejects_what_is_not_a_numeral() {
        for bad in ["", "二三", "十十", "十百", "零", "甲", "三、"] {
            assert_eq!(n(bad), None, "{bad}");
        }
    }
}
