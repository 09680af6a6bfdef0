// Labels the pages print: urgency (with its 红/黄/绿/灰 colour), status, role; the page size.
export const URGENCY = [
  // key, label as the 台账 prints it, colour in the 红/黄/绿/灰 convention
  ["OVERDUE", "逾期", "red"],
  ["DUE_SOON", "临期", "yellow"],
  ["ON_TRACK", "正常", "green"],
  ["ONGOING", "长期", "grey"],
  ["DONE", "已完成", "grey"],
];
export const URGENCY_LABEL = Object.fromEntries(URGENCY.map(([k, l]) => [k, l]));
export const URGENCY_COLOUR = Object.fromEntries(URGENCY.map(([k, , c]) => [k, c]));
export const STATUS_LABEL = {
  OPEN: "未开始",
  IN_PROGRESS: "推进中",
  COMPLETION_REPORTED: "已报办结",
  DONE: "已办结",
  CLOSED: "已撤销",
};
export const ROLE_LABEL = { ANY: "牵头或配合", LEAD: "牵头", COOPERATING: "配合" };
export const PAGE_SIZE = 20;
