// 民生实事督办: the board and the item pages. A client of the public graph (POST /graphql and
// /graphql/ws, as any outside front end) and nothing else: whatever it shows, the graph shows to
// anyone with the same token. No build step and no library, so the api needs no Node.
// The entry: routing between the pages (one module each), and the header's corner.
import { accountsPage } from "./accounts.js";
import { scoresPage } from "./scores.js";
import { passwordPage, showWho, signInPage } from "./auth.js";
import { board } from "./board.js";
import { department, departments } from "./departments.js";
import { desk } from "./desk.js";
import { errorBox, h } from "./dom.js";
import { GraphError, gql } from "./graph.js";
import { item } from "./item.js";
import { items } from "./items.js";
import { params, state } from "./state.js";

// ---------------------------------------------------------------------------------------------
// Routing

export const START = "Start";

export async function route() {
  state.stop?.();
  state.stop = null;
  const main = document.getElementById("main");
  const { path, query } = params();
  for (const a of document.querySelectorAll("[data-nav]")) {
    const here = (a.dataset.nav === "board" && path === "/") || (a.dataset.nav === "items" && path.startsWith("/item")) || (a.dataset.nav === "desk" && path === "/desk") || (a.dataset.nav === "departments" && path.startsWith("/department")) || (a.dataset.nav === "accounts" && path === "/accounts") || (a.dataset.nav === "scores" && path === "/scores");
    if (here) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  try {
    if (!state.calendar) {
      const data = await gql(START);
      state.calendar = data.calendar;
      state.lists = data.lists;
    }
    let stop;
    if (path === "/") stop = await board(main, query);
    else if (path === "/items") stop = await items(main, query);
    else if (path.startsWith("/item/")) stop = await item(main, decodeURIComponent(path.slice(6)), query);
    else if (path === "/desk") stop = await desk(main, query);
    else if (path === "/sign-in") stop = await signInPage(main, query);
    else if (path.startsWith("/password/")) stop = await passwordPage(main, decodeURIComponent(path.slice(10)));
    else if (path === "/departments") stop = await departments(main, query);
    else if (path === "/accounts") stop = await accountsPage(main);
    else if (path === "/scores") stop = await scoresPage(main, query);
    else if (path.startsWith("/department/")) stop = await department(main, decodeURIComponent(path.slice(12)), query);
    else main.replaceChildren(h("h1", {}, "页面不存在"), h("p", {}, h("a", { href: "#/" }, "返回总览")));
    state.stop = stop ?? null;
    document.title = `${main.querySelector("h1")?.textContent ?? ""} · 民生实事督办`;
    document.body.dataset.ready = path;
  } catch (error) {
    main.replaceChildren(errorBox(error));
    document.body.dataset.ready = "error";
    if (!(error instanceof GraphError)) console.error(error);
  }
}

window.addEventListener("hashchange", () => {
  document.body.dataset.ready = "";
  route().then(() => document.getElementById("main").focus({ preventScroll: true }));
});
route();
showWho();
