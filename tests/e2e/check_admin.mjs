// Staff publishing from a browser, as staff do it: Debian's Chromium driven by playwright-core,
// axe-core for WCAG 2.1 AA on the admin's pages.
//
//   node check_admin.mjs --url http://127.0.0.1:PORT/ --editor TOKEN --author TOKEN \
//     --audio FILE --transcript FILE --not-audio FILE [--screenshots DIR]
//
// Without a session nothing opens; an author logs in, fills the form (audio and transcript
// uploaded, a method and a place picked, chapters, a guest), sees the preview (the recording's
// loudness beside its mastering's: the sample show masters every upload), and cannot
// publish; a file that is not audio is refused by its content; the editor logs in, opens the
// draft from the list, publishes it; the episode is then on the home page and in the feed;
// the JSON API refuses a request without a token; the editor retracts another episode with a
// reason, which leaves the feed, the pages, the media and the search. Screenshots of the login,
// the form, the preview, the list and a published episode at phone and desktop widths.
//
// Every check prints `ok   [admin] name` or `FAIL [admin] name: why`; the last line is
// `admin: N passed, M failed`. Network traffic goes to 127.0.0.1 only.
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { assert, check as checkWith, fail, finish } from "./checks.mjs";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const args = process.argv.slice(2);
const arg = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const BASE = arg("--url");
const [EDITOR, AUTHOR, AUDIO, TRANSCRIPT, NOT_AUDIO, SHOTS] =
  ["--editor", "--author", "--audio", "--transcript", "--not-audio", "--screenshots"].map(arg);
if (!BASE || !EDITOR || !AUTHOR || !AUDIO || !TRANSCRIPT || !NOT_AUDIO) {
  console.error("usage: node check_admin.mjs --url URL --editor TOKEN --author TOKEN --audio FILE --transcript FILE --not-audio FILE [--screenshots DIR]");
  process.exit(2);
}
const TITLE = "Lunas : la grille au conseil municipal";
const SLUG = "lunas-la-grille-au-conseil-municipal";
const url = (path) => new URL(path, BASE).href;

const check = (name, cond, why) => checkWith("admin", name, () => assert(cond, why));

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"],
});

async function newPage(viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport, locale: "fr-FR" });
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(String(e)));
  // A refused form answers 401, 403 or 422 on purpose, which the console reports as a failed
  // load: only script errors count.
  page.on("console", (m) => { if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) page.errors.push(m.text()); });
  page.on("response", (res) => { if (res.status() === 404) page.errors.push(`404 ${res.url()}`); });
  return page;
}

async function shot(page, name) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  for (const [label, width, height] of [["bureau", 1280, 900], ["telephone", 360, 740]]) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: join(SHOTS, `admin-${name}-${label}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

// axe-core is injected as an inline script, which the admin's policy forbids: a copy of the page
// without the policy (a context that bypasses it) is audited.
async function audit(page, name) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "fr-FR", bypassCSP: true });
  await context.addCookies(await page.context().cookies());
  const copy = await context.newPage();
  await copy.goto(page.url());
  await copy.addScriptTag({ content: AXE });
  const result = await copy.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }));
  const v = result.violations;
  check(`axe-core, WCAG 2.1 AA, admin ${name}: no violation`, v.length === 0,
    v.map((x) => `${x.id} (${x.nodes.length}): ${x.nodes[0]?.target}`).join("; "));
  await context.close();
}

async function login(page, token) {
  await page.goto(url("admin/"));
  await page.fill("#token", token);
  await Promise.all([page.waitForNavigation(), page.click("form.formulaire button")]);
}

// No phone's width makes anything scroll sideways.
async function fitsPhone(page, name) {
  await page.setViewportSize({ width: 320, height: 640 });
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  check(`${name} fits a 320 px phone (no sideways scrolling)`, wide <= 320, `scrollWidth ${wide}`);
  await page.setViewportSize({ width: 1280, height: 900 });
}

try {
  // ------------------------------------------------------------------ strangers
  const stranger = await newPage();
  let r = await stranger.goto(url("admin/nouveau"));
  check("without a session, the form answers 401 with the login page", r.status() === 401 && (await stranger.locator("#token").count()) === 1, `status ${r.status()}`);
  check("the login page is in French and says what the token looks like", (await stranger.locator("html").getAttribute("lang")) === "fr" && (await stranger.textContent("main")).includes("jeton"), "");
  await shot(stranger, "login");
  await audit(stranger, "login");
  r = await stranger.request.post(url("api/episodes"), { multipart: { title: "Intrus", publish: "true" } });
  check("POST /api/episodes without a token: 401 and a JSON error", r.status() === 401 && (await r.json()).error.code === "staff.unauthorized", `status ${r.status()}`);
  r = await stranger.request.post(url(`admin/episodes/${SLUG}/publier`), { form: { csrf: "x" } });
  check("a publish without a session is refused (401)", r.status() === 401, `status ${r.status()}`);
  await stranger.fill("#token", "000000000000.ffff");
  await Promise.all([stranger.waitForNavigation(), stranger.click("form.formulaire button")]);
  check("a wrong token is refused in French", (await stranger.textContent(".erreur")).includes("n'ouvre aucun compte"), "");

  // ------------------------------------------------------------------ the author prepares a draft
  const author = await newPage();
  await login(author, AUTHOR);
  check("the author is logged in and sees the list of episodes", (await author.textContent("header")).includes("Yann Le Goff") && (await author.locator("h2").count()) === 3, "");
  const cookie = (await author.context().cookies()).find((c) => c.name === "veillee_session");
  check("the session cookie is HttpOnly and SameSite=Strict", cookie?.httpOnly === true && cookie?.sameSite === "Strict", JSON.stringify(cookie));
  await author.click("text=Nouvel épisode");
  // A file that is not audio, under an .mp3 name: refused by its content, the form kept.
  await author.fill("#title", TITLE);
  await author.setInputFiles("#audio", NOT_AUDIO);
  await Promise.all([author.waitForNavigation(), author.click("form.formulaire > button")]);
  check("a file that is not audio is refused by its content, in French", (await author.textContent(".erreur")).includes("n'est pas un fichier audio publiable"), await author.textContent("main"));
  check("the refused form keeps the title typed", (await author.inputValue("#title")) === TITLE, await author.inputValue("#title"));
  await author.setInputFiles("#audio", AUDIO);
  await author.setInputFiles("#transcript", TRANSCRIPT);
  await author.fill("#notes", "Le conseil municipal de **Lunas** a rempli la grille d'auto-évaluation.\n\n- une soirée\n- douze élus");
  await author.check('input[name=methods][value="grille-auto-evaluation"]');
  await author.check('input[name=territories][value="lunas"]');
  await author.fill("#chapters", "00:00 Ouverture\n00:20 La grille [grille-auto-evaluation]");
  await author.fill("#guests", "Dominique Roux | https://example.org/dominique");
  check("the form says that the show masters every upload", (await author.textContent("form.formulaire")).includes("Le podcast masterise chaque audio envoyé"), "");
  await shot(author, "form");
  await audit(author, "form");
  await fitsPhone(author, "the form");
  await Promise.all([author.waitForNavigation(), author.click("form.formulaire > button")]);
  check("submitting opens the draft's preview", author.url().endsWith(`/admin/episodes/${SLUG}/`), author.url());
  const preview = await author.textContent("main");
  for (const [what, text] of [["its state", "à relire"], ["its loudness", "LUFS"], ["its transcript", "répliques"], ["its format", "Hz"]]) {
    check(`the preview shows ${what}`, preview.includes(text), preview.slice(0, 400));
  }
  // The recording sent is quiet (about -22 LUFS): the preview shows it beside its mastering.
  const volume = (await author.locator("table.mesures tbody tr").first().locator("td").allTextContents())
    .map((t) => Number(t.replace("\u2212", "-").replace(",", ".").replace(" LUFS", "")));
  check("the preview shows the loudness before and after mastering: the recording's far from -16 LUFS, the episode's within 0.5 LU",
    volume.length === 2 && Math.abs(volume[0] + 16) > 2 && Math.abs(volume[1] + 16) <= 0.5, JSON.stringify(volume));
  check("an author has no publish button", (await author.locator('button:has-text("Publier")').count()) === 0, "");
  await shot(author, "preview");
  await audit(author, "preview");
  await fitsPhone(author, "the preview");
  const csrf = await author.getAttribute('input[name="csrf"]', "value");
  r = await author.request.post(url(`admin/episodes/${SLUG}/publier`), { form: { csrf } });
  check("an author's publish, with a valid form, is refused (403)", r.status() === 403, `status ${r.status()}`);
  r = await author.request.get(url("feed.xml"));
  check("the draft is not in the feed", !(await r.text()).includes(TITLE), "");

  // ------------------------------------------------------------------ the editor publishes it
  const editor = await newPage();
  await login(editor, EDITOR);
  check("the draft is listed for the editor, with its author", (await editor.textContent("main")).includes("proposé par Yann Le Goff"), "");
  await shot(editor, "list");
  await audit(editor, "list");
  await editor.click(`text=${TITLE}`);
  r = await editor.request.post(url(`admin/episodes/${SLUG}/publier`), { form: { csrf: "pas-le-bon" } });
  check("a publish with another CSRF token is refused (403)", r.status() === 403, `status ${r.status()}`);
  await Promise.all([editor.waitForNavigation(), editor.click("button.principal")]);
  check("publishing says so in French", (await editor.textContent(".avis")).includes("Publié"), await editor.textContent("main"));
  const home = await editor.request.get(url(""));
  check("the episode is on the home page", (await home.text()).includes("la grille au conseil municipal"), "");
  const feed = await (await editor.request.get(url("feed.xml"))).text();
  check("the episode is in the feed, with its transcript and chapters", feed.includes(TITLE) && feed.includes(`transcripts/${SLUG}.vtt`) && feed.includes(`chapters/${SLUG}.chapters.json`), "");
  const page = await editor.request.get(url(`episodes/${SLUG}/`));
  check("its page links its method and names its guest", page.status() === 200 && (await page.text()).includes("/methodes/grille-auto-evaluation/") && (await page.text()).includes("Dominique Roux"), `status ${page.status()}`);

  // ------------------------------------------------------------- the editor retracts another one
  const GONE = "resider-pour-raconter-la-traverse";
  const GONE_GUID = "81e3f20a-178a-454b-9206-ec3346dba411";
  const before = await (await editor.request.get(url("feed.xml"))).text();
  const goneMedia = before.match(new RegExp(`/media/${GONE}\\.[0-9a-f]+\\.mp3`))?.[0];
  check("the episode to retract is in the feed first, with its media", before.includes(GONE_GUID) && !!goneMedia, "");
  const search = url(`api/search?q=${encodeURIComponent("résidence")}`);
  r = await editor.request.get(search);
  check("the search finds it first", (await r.text()).includes(GONE), `status ${r.status()}`);
  await editor.goto(url(`admin/episodes/${GONE}/`));
  await editor.fill("#retract-reason", "Une invitée retire son accord");
  await shot(editor, "published");
  await audit(editor, "published");
  await fitsPhone(editor, "a published episode's page");
  await Promise.all([editor.waitForNavigation(), editor.click("button.danger")]);
  const said = await editor.textContent(".avis");
  check("retracting says so in French, and that its files are deleted", said.includes("est retiré du site") && said.includes("ses fichiers sont supprimés"), said);
  check("the list shows it under « Retirés » with its reason", (await editor.textContent("main")).includes("Une invitée retire son accord"), "");
  const after = await (await editor.request.get(url("feed.xml"))).text();
  check("the retracted episode is gone from the feed, the other items stay", !after.includes(GONE_GUID) && after.includes(TITLE), "");
  r = await editor.request.get(url(goneMedia ?? "media/none"));
  check("its media answers 404", r.status() === 404, `status ${r.status()}`);
  r = await editor.request.get(url(`episodes/${GONE}/`));
  check("its page answers 404", r.status() === 404, `status ${r.status()}`);
  r = await editor.request.get(search);
  check("the search no longer finds it", r.status() === 200 && !(await r.text()).includes(GONE), `status ${r.status()}`);

  for (const p of [stranger, author, editor]) {
    check(`no script error on the admin's pages (${p === editor ? "editor" : p === author ? "author" : "stranger"})`, p.errors.length === 0, p.errors.join("; "));
  }
} catch (e) {
  fail("admin", `the walk stopped: ${e?.stack ?? e}`);
}
await browser.close();
process.exit(finish("admin"));
