//! Generates a list in the seed's shape: numbered headings, the four fields, blank lines
//! between paragraphs, department fields drawn from a fixed pool, every deadline form.

use std::fmt::Write as _;

const DEADLINES: [&str; 8] = [
    "2021年6月底",
    "2021年12月底",
    "2021年底",
    "2021年11月底取得阶段性成效,长期坚持",
    "长期坚持",
    "6月底前完成设计,12月底前建成",
    "上半年",
    "2021年9月30日前",
];

/// `i` (below 100) in Chinese numerals: department names, as printed, hold no digits.
fn chinese(i: usize) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match (i / 10, i % 10) {
        (0, d) => DIGITS[d].to_owned(),
        (tens, d) => format!(
            "{}十{}",
            if tens == 1 { "" } else { DIGITS[tens] },
            if d == 0 { "" } else { DIGITS[d] }
        ),
    }
}

/// 60 department names, some with brackets.
pub fn departments() -> Vec<String> {
    (0..60)
        .map(|i| (i, chinese(i)))
        .map(|(n, i)| match n % 6 {
            0 => format!("市第{i}局"),
            1 => format!("市第{i}委员会(市第{i}办)"),
            2 => format!("市第{i}中心"),
            3 => format!("市第{i}办公室"),
            4 => format!("市第{i}集团有限公司"),
            _ => format!("市第{i}服务中心"),
        })
        .collect()
}

/// A list of `items` items.
pub fn list_text(items: usize) -> String {
    let departments = departments();
    let mut text = String::from("\n某市2021年重点民生项目清单(第一批)\n\n");
    for n in 1..=items {
        let lead = [&departments[n % 60], &departments[(n * 7 + 3) % 60]];
        let cooperating: Vec<&str> = (1..=4)
            .map(|k| departments[(n * 11 + k * 13) % 60].as_str())
            .collect();
        let _ = write!(
            text,
            "{n}、实施第{n}项民生工程\n\n事项内容:新建和改造公共服务设施{n}处,惠及群众约{}万人。完善长效管护机制,\n\n确保项目按期建成并发挥效益。\n\n完成时限:{}\n\n牵头部门:{}、{}\n\n配合部门:{}、各县区政府\n\n",
            n % 50 + 1,
            DEADLINES[n % DEADLINES.len()],
            lead[0],
            lead[1],
            cooperating.join("、"),
        );
    }
    text.push_str("本报讯 一则与清单无关的新闻。\n");
    text
}
