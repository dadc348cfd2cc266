// The website of `veillee serve --preview` in a real browser: Debian's Chromium driven by
// playwright-core (npm; never a downloaded browser), axe-core (npm) for WCAG 2.1 AA.
//
//   node check_site.mjs --url http://127.0.0.1:PORT/ [--screenshots DIR]
//
// Every page of the sitemap, the search page and an unknown address: French, no horizontal
// scrolling at 320 px nor at 200 % zoom (a 1280 px window zoomed twice is 640 CSS px wide), no
// script error. axe-core on the home, an episode, a method, the lists, the 404 and the search
// page, light and dark. The episode page's player: the highlighted passage follows
// `audio.currentTime`; a time code clicked twice seeks both times and adds no history entry;
// a `#t=` address starts there with the passage in view and highlighted; the subscribe address
// copied; search on a 360×640 phone with the first result visible, then a result followed to its
// moment; a walk with the Tab key alone that searches, plays and seeks. With --screenshots, the
// home, an episode, a method sheet and a search at desktop and phone widths.
//
// Every check prints `ok   [site] name` or `FAIL [site] name: why`; the last line is
// `site: N passed, M failed`. Network traffic goes to 127.0.0.1 only: every other host name
// resolves to nothing.
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
const SHOTS = arg("--screenshots");
if (!BASE) {
  console.error("usage: node check_site.mjs --url http://127.0.0.1:PORT/ [--screenshots DIR]");
  process.exit(2);
}

// A check whose condition is already known: `why` says what was seen instead.
const check = (name, cond, why) => checkWith("site", name, () => assert(cond, why));
const ok = (name) => check(name, true, "");

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--autoplay-policy=no-user-gesture-required",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
  ],
});

async function newPage(viewport, options = {}) {
  const context = await browser.newContext({ viewport, locale: "fr-FR", ...options });
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") page.errors.push(m.text()); });
  return page;
}

try {
  // ------------------------------------------------------------------ the pages
  const sitemap = await (await fetch(new URL("sitemap.xml", BASE))).text();
  const pages = [...sitemap.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1].replaceAll("&amp;", "&"));
  check("sitemap.xml lists the pages, on the preview's own address", pages.length > 20 && pages.every((u) => u.startsWith(BASE)),
    `${pages.length} pages: ${pages.slice(0, 3).join(" ")}`);
  const episodes = pages.filter((u) => u.includes("/episodes/"));
  const methods = pages.filter((u) => /\/methodes\/[a-z0-9-]+\/$/.test(u));
  const searchUrl = new URL("recherche/?q=habitants", BASE).href;
  const strayUrl = new URL("nulle-part/ici/", BASE).href;
  const all = [...pages, new URL("recherche/", BASE).href, searchUrl, strayUrl];

  for (const [label, viewport] of [["320 px", { width: 320, height: 640 }], ["200 % zoom", { width: 640, height: 450 }]]) {
    const page = await newPage(viewport);
    const wide = [];
    const wrong = [];
    for (const url of all) {
      const errors = page.errors.length;
      const response = await page.goto(url, { waitUntil: "load" });
      // The browser logs the expected 404 itself.
      if (url === strayUrl) page.errors.length = errors;
      const status = response.status();
      if (status !== (url === strayUrl ? 404 : 200)) wrong.push(`${url}: status ${status}`);
      const info = await page.evaluate(() => ({
        lang: document.documentElement.lang,
        scroll: document.documentElement.scrollWidth,
        client: document.documentElement.clientWidth,
      }));
      if (info.lang !== "fr") wrong.push(`${url}: lang=${info.lang}`);
      if (info.scroll > info.client) wide.push(`${url.slice(BASE.length - 1)} (${info.scroll} > ${info.client})`);
    }
    check(`${all.length} pages at ${label}: no horizontal scrolling`, wide.length === 0, wide.join(", "));
    check(`${all.length} pages at ${label}: lang="fr", 200 (404 for an unknown address), no script error nor Content-Security-Policy violation`,
      wrong.length === 0 && page.errors.length === 0, [...wrong, ...page.errors].slice(0, 5).join("; "));
    await page.context().close();
  }
  {
    const page = await newPage({ width: 1280, height: 900 });
    await page.goto(strayUrl);
    check("an unknown address shows the French 404 page in the site's chrome",
      (await page.textContent("h1")) === "Page introuvable" && (await page.locator("nav[aria-label='Navigation principale']").count()) === 1,
      await page.textContent("h1"));
    await page.context().close();
  }

  {
    // The map: a point per territory of metropolitan France, each a link to its page.
    const page = await newPage({ width: 1280, height: 900 });
    await page.goto(new URL("territoires/", BASE).href);
    const points = await page.locator(".carte svg a circle").count();
    const listed = await page.locator("section.entree").count();
    const inside = await page.evaluate(() => {
      const svg = document.querySelector(".carte svg").getBoundingClientRect();
      return [...document.querySelectorAll(".carte circle")].every((c) => {
        const r = c.getBoundingClientRect();
        return r.left >= svg.left && r.right <= svg.right && r.top >= svg.top && r.bottom <= svg.bottom;
      });
    });
    check("/territoires/ has a map: a point per listed territory, inside the outline's frame", points > 0 && points <= listed && inside,
      `${points} points, ${listed} territories, inside=${inside}`);
    await page.locator(".carte svg a").first().click();
    await page.waitForURL(/\/territoires\/[a-z0-9-]+\/$/);
    ok("a point of the map leads to its territory's page");
    await page.context().close();
  }

  {
    // A method sheet printed for a workshop: the sheet, not the site around it.
    const page = await newPage({ width: 1280, height: 900 });
    await page.goto(methods.find((u) => u.includes("cartographie-sensible")) || methods[0]);
    await page.emulateMedia({ media: "print" });
    const printed = await page.evaluate(() => ({
      chrome: ["header.site", "footer.site"].map((s) => getComputedStyle(document.querySelector(s)).display),
      title: getComputedStyle(document.querySelector("h1")).display,
      steps: document.querySelector(".etapes") ? getComputedStyle(document.querySelector(".etapes")).display : "none",
    }));
    check("a method sheet prints without the header and footer, its title and steps kept",
      printed.chrome.every((d) => d === "none") && printed.title !== "none" && printed.steps !== "none", JSON.stringify(printed));
    await page.context().close();
  }

  // ------------------------------------------------------------------ accessibility
  const axePages = {
    accueil: BASE,
    épisode: episodes[0],
    méthode: methods[0],
    archives: new URL("archives/", BASE).href,
    méthodes: new URL("methodes/", BASE).href,
    partenaires: new URL("partenaires/", BASE).href,
    territoires: new URL("territoires/", BASE).href,
    "404": strayUrl,
    recherche: searchUrl,
  };
  for (const scheme of ["light", "dark"]) {
    // axe-core is injected as an inline script, which the pages' own policy forbids.
    const page = await newPage({ width: 1280, height: 900 }, { colorScheme: scheme, bypassCSP: true });
    for (const [name, url] of Object.entries(axePages)) {
      await page.goto(url);
      await page.addScriptTag({ content: AXE });
      const result = await page.evaluate(async () =>
        // eslint-disable-next-line no-undef
        axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }));
      const v = result.violations;
      check(`axe-core, WCAG 2.1 AA, ${name} (${scheme}): no violation`, v.length === 0,
        v.map((x) => `${x.id} (${x.nodes.length}): ${x.nodes[0]?.target}`).join("; "));
    }
    await page.context().close();
  }

  // ------------------------------------------------------------------ the player
  // The episode with the most passages.
  let episode = episodes[0];
  let most = 0;
  {
    const page = await newPage({ width: 1280, height: 900 });
    for (const url of episodes) {
      await page.goto(url);
      const n = await page.locator(".passage[data-t]").count();
      if (n > most) { most = n; episode = url; }
    }
    await page.context().close();
  }
  check("an episode page with a transcript to play", most >= 4, `${most} passages`);

  const origin = new URL(BASE).origin;
  {
    const page = await newPage({ width: 1280, height: 900 });
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin });
    await page.goto(episode);
    await page.waitForFunction(() => document.getElementById("lecteur").readyState >= 1, null, { timeout: 20000 });
    const starts = await page.$$eval(".passage[data-t]", (ps) => ps.map((p) => parseFloat(p.dataset.t)));
    const duration = await page.evaluate(() => document.getElementById("lecteur").duration);
    // A passage followed by another at least 3 s later, and both well inside the audio.
    const k = starts.findIndex((s, i) => i > 0 && i + 1 < starts.length && starts[i + 1] - s >= 3 && starts[i + 1] + 3 < duration);
    check("the transcript has passages to follow", k > 0, JSON.stringify(starts));
    const active = () => page.evaluate(() => {
      const a = document.querySelector(".passage.actif");
      return a ? parseFloat(a.dataset.t) : null;
    });
    const player = () => page.evaluate(() => {
      const a = document.getElementById("lecteur");
      return { t: a.currentTime, paused: a.paused, status: document.getElementById("etat-lecteur").textContent };
    });

    await page.evaluate((t) => { const a = document.getElementById("lecteur"); a.currentTime = t; return a.play(); }, starts[k] + 0.5);
    await page.waitForTimeout(700);
    check("playing: the highlighted passage is the one being played", (await active()) === starts[k], `${await active()} at ${(await player()).t}`);
    await page.waitForFunction((t) => document.getElementById("lecteur").currentTime > t + 0.6, starts[k + 1], { timeout: 15000 });
    await page.waitForTimeout(400);
    const now = await player();
    check("playing on: the highlight follows audio.currentTime to the next passage", (await active()) === starts[k + 1] && !now.paused,
      `active ${await active()} at ${now.t}`);
    const inView = await page.evaluate(() => {
      const r = document.querySelector(".passage.actif").getBoundingClientRect();
      return r.top >= 0 && r.bottom <= window.innerHeight;
    });
    check("the passage being played is kept in view", inView, "out of the window");

    // A reader who scrolls away is left there, with a button to follow the playback again.
    await page.evaluate(() => { document.getElementById("lecteur").currentTime = 0; });
    // Longer than the script's own scrolling takes: a wheel then is the reader's.
    await page.waitForTimeout(1300);
    await page.mouse.move(640, 700);
    await page.mouse.wheel(0, 4000);
    await page.waitForTimeout(800);
    const left = await page.evaluate(() => window.scrollY);
    const nextStart = starts[starts.findIndex((x) => x > 1.5)];
    await page.evaluate((t) => { document.getElementById("lecteur").currentTime = t + 0.2; }, nextStart);
    await page.waitForTimeout(800);
    const stayed = await page.evaluate(() => ({ y: window.scrollY, follow: !document.getElementById("suivre").hidden }));
    check("scrolled away: the page stays where the reader put it, a button offers to follow again",
      Math.abs(stayed.y - left) < 2 && stayed.follow, JSON.stringify({ left, stayed }));
    await page.click("#suivre");
    await page.waitForTimeout(900);
    const back = await page.evaluate(() => {
      const r = document.querySelector(".passage.actif").getBoundingClientRect();
      return { inView: r.top >= 0 && r.bottom <= window.innerHeight, follow: !document.getElementById("suivre").hidden };
    });
    check("'Suivre la lecture' brings the passage being played back into view", back.inView && !back.follow, JSON.stringify(back));

    // A time code, twice: it seeks and plays each time, and the history does not grow.
    const j = Math.max(1, k - 1);
    const link = page.locator(`.passage[data-t="${starts[j]}"] a.horodatage`);
    const before = await page.evaluate(() => history.length);
    await link.click();
    await page.waitForTimeout(300);
    const first = await player();
    await page.evaluate(() => { document.getElementById("lecteur").currentTime = 0; });
    await page.waitForTimeout(300);
    await link.click();
    await page.waitForTimeout(300);
    const second = await player();
    const after = await page.evaluate(() => ({ length: history.length, hash: location.hash }));
    check("a time code seeks and plays", Math.abs(first.t - starts[j]) < 1 && !first.paused, JSON.stringify(first));
    check("the same time code again seeks again", Math.abs(second.t - starts[j]) < 1 && !second.paused, JSON.stringify(second));
    check("clicking time codes adds no history entry, the address names the moment",
      after.length === before && after.hash === `#t=${starts[j]}`, JSON.stringify({ before, after }));
    check("the player announces its state to screen readers (role=status)", /Lecture/.test(second.status), second.status);

    // ±15 s and the speed.
    await page.evaluate(() => document.getElementById("lecteur").pause());
    const t0 = (await player()).t;
    await page.click("[data-saut='15']");
    const t1 = (await player()).t;
    check("+15 s moves the player 15 s on", Math.abs(t1 - t0 - 15) < 0.6 || (duration - t1 < 0.6), `${t0} → ${t1}`);
    await page.selectOption("#vitesse", "1.5");
    check("the speed control sets playbackRate", (await page.evaluate(() => document.getElementById("lecteur").playbackRate)) === 1.5, "not 1.5");

    // The subscribe block: the copy button copies the feed's address.
    await page.click("button[data-copier]");
    await page.waitForTimeout(200);
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    const field = await page.inputValue("#adresse-flux");
    check("the copy button copies the feed's address", copied === field && copied === new URL("feed.xml", BASE).href, `${copied} / ${field}`);
    check("the subscribe block links each app", (await page.locator(".applis a").count()) >= 5
      && (await page.locator(".applis a[href^='pktc://subscribe/']").count()) === 1, "fewer app links");
    check("no script error on the episode page", page.errors.length === 0, page.errors.join("; "));
    await page.context().close();

    // A `#t=` address: the passage in view and highlighted, the player there and playing.
    const target = starts[starts.length - 2];
    const moment = await newPage({ width: 1280, height: 700 });
    await moment.goto(`${episode}#t=${target}`);
    await moment.waitForFunction((t) => {
      const a = document.getElementById("lecteur");
      return a.readyState >= 1 && a.currentTime >= t - 0.1;
    }, target, { timeout: 20000 });
    await moment.waitForTimeout(800);
    const opened = await moment.evaluate(() => {
      const a = document.querySelector(".passage.actif");
      const r = a && a.getBoundingClientRect();
      const audio = document.getElementById("lecteur");
      return { active: a && parseFloat(a.dataset.t), top: r && r.top, bottom: r && r.bottom, h: window.innerHeight, t: audio.currentTime, paused: audio.paused };
    });
    check("#t= opens at that passage, highlighted and in view", opened.active === target && opened.top >= 0 && opened.bottom <= opened.h,
      JSON.stringify(opened));
    check("#t= starts the player at that second", opened.t >= target - 0.1 && opened.t < target + 3 && !opened.paused, JSON.stringify(opened));
    await moment.context().close();
  }

  // ------------------------------------------------------------------ search on a phone
  {
    const page = await newPage({ width: 360, height: 640 }, { isMobile: true, hasTouch: true });
    await page.goto(searchUrl);
    const box = await page.locator(".resultats > li h2").first().boundingBox();
    check("search on a 360×640 phone: the first result is visible without scrolling", box && box.y + box.height <= 640,
      JSON.stringify(box));
    check("the filters are folded on a phone", (await page.locator("details.filtres").count()) === 1
      && !(await page.evaluate(() => document.querySelector("details.filtres").open)), "open");
    check("matched words are highlighted in the snippets", (await page.locator(".resultats mark").count()) > 0, "no <mark>");
    const momentLink = page.locator(".resultats .moments a").first();
    const href = await momentLink.getAttribute("href");
    const t = parseFloat(href.split("#t=")[1]);
    await momentLink.click();
    await page.waitForFunction((t) => {
      const a = document.getElementById("lecteur");
      return a && a.readyState >= 1 && a.currentTime >= t - 0.1;
    }, t, { timeout: 20000 });
    await page.waitForTimeout(500);
    const landed = await page.evaluate(() => {
      const a = document.querySelector(".passage.actif");
      return { active: a && parseFloat(a.dataset.t), hash: location.hash };
    });
    check("a search result leads to its moment: the passage highlighted, the player there",
      landed.active !== null && Math.abs(landed.active - t) < 30 && landed.hash === `#t=${t}`, JSON.stringify({ t, landed }));
    await page.context().close();
  }

  // ------------------------------------------------------------------ the keyboard alone
  {
    const page = await newPage({ width: 1280, height: 900 });
    const tabTo = async (predicate, arg, max = 120) => {
      for (let i = 0; i < max; i++) {
        await page.keyboard.press("Tab");
        if (await page.evaluate(predicate, arg)) return true;
      }
      return false;
    };
    await page.goto(BASE);
    let reached = await tabTo(() => document.activeElement.matches("nav a[href='/recherche/']"));
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/recherche\/$/);
    reached = reached && await tabTo(() => document.activeElement.id === "q");
    await page.keyboard.type("habitants");
    await page.keyboard.press("Enter");
    await page.waitForURL(/q=habitants/);
    const found = await page.locator(".resultats > li").count();
    check("keyboard: Tab to Recherche, Enter, Tab to the box, type, Enter: results", reached && found > 0, `reached=${reached}, ${found} results`);
    reached = await tabTo(() => document.activeElement.matches(".resultats .moments a"));
    const href = await page.evaluate(() => document.activeElement.getAttribute("href"));
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/episodes\//);
    await page.waitForFunction(() => document.getElementById("lecteur").readyState >= 1, null, { timeout: 20000 });
    await page.waitForTimeout(500);
    const t = parseFloat(href.split("#t=")[1]);
    const atMoment = await page.evaluate(() => ({ t: document.getElementById("lecteur").currentTime, paused: document.getElementById("lecteur").paused }));
    check("keyboard: Enter on a result's moment opens the episode there, playing", reached && Math.abs(atMoment.t - t) < 2 && !atMoment.paused,
      JSON.stringify({ reached, t, atMoment }));
    reached = await tabTo(() => document.activeElement.matches("[data-saut='15']"));
    const before = await page.evaluate(() => document.getElementById("lecteur").currentTime);
    await page.keyboard.press("Enter");
    const afterJump = await page.evaluate(() => document.getElementById("lecteur").currentTime);
    check("keyboard: Tab to +15 s, Enter: the player moves on", reached && afterJump > before + 10, `${before} → ${afterJump}`);
    reached = await tabTo(() => document.activeElement.matches(".passage a.horodatage"));
    const code = await page.evaluate(() => parseFloat(document.activeElement.closest(".passage").dataset.t));
    await page.keyboard.press("Enter");
    await page.waitForTimeout(300);
    const seeked = await page.evaluate(() => ({ t: document.getElementById("lecteur").currentTime, paused: document.getElementById("lecteur").paused }));
    check("keyboard: Tab to a time code, Enter: it seeks there and plays", reached && Math.abs(seeked.t - code) < 1 && !seeked.paused,
      JSON.stringify({ reached, code, seeked }));
    await page.context().close();
  }

  // ------------------------------------------------------------------ screenshots
  if (SHOTS) {
    mkdirSync(SHOTS, { recursive: true });
    const method = methods.find((u) => u.includes("cartographie-sensible")) || methods[0];
    const shots = { accueil: BASE, episode, methode: method, recherche: searchUrl, territoires: new URL("territoires/", BASE).href };
    for (const [width, height, label] of [[1280, 900, "bureau"], [375, 812, "telephone"]]) {
      const page = await newPage({ width, height }, width < 600 ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {});
      for (const [name, url] of Object.entries(shots)) {
        await page.goto(url);
        await page.evaluate(() => { const a = document.getElementById("lecteur"); if (a) a.pause(); });
        await page.screenshot({ path: join(SHOTS, `${name}-${label}.png`) });
      }
      await page.context().close();
    }
    ok(`screenshots written to ${SHOTS}`);
  }
} catch (e) {
  fail("site", `the browser checks stopped: ${e && e.stack ? e.stack.split("\n").slice(0, 4).join(" | ") : String(e)}`);
} finally {
  await browser.close();
}
process.exit(finish("site"));
