// The chat page in a real browser: Debian's headless chromium, driven by playwright-core.
// Types a question, waits for the streamed answer, and reports what the page showed.
// Usage: node chat_page.mjs PAGE_URL API_KEY CHROMIUM_PATH USER_DATA_DIR
import { chromium } from "playwright-core";

const [url, apiKey, executablePath, userDataDir] = process.argv.slice(2);
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
const out = { deltas: [] };

// Polls a condition in the page. (waitForFunction needs eval, which the page's
// Content-Security-Policy rightly forbids.)
async function until(page, condition, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate(condition))) {
    if (Date.now() > deadline) throw new Error("timed out waiting for " + condition.toString());
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
try {
  const page = context.pages()[0] || (await context.newPage());
  page.on("pageerror", (err) => { out.page_error = String(err); });
  await page.goto(url);
  await page.fill("#key", apiKey);
  await page.dispatchEvent("#key", "change");
  // Record every change of the answer's text, to see it grow token by token.
  await page.exposeFunction("reportDelta", (text) => out.deltas.push(text));
  await page.evaluate(() => {
    new MutationObserver(() => {
      const a = document.querySelector(".answer");
      if (a) window.reportDelta(a.textContent);
    }).observe(document.getElementById("messages"), { subtree: true, childList: true, characterData: true });
  });
  await page.fill("#question", "What is 17*23?");
  await page.press("#question", "Enter");
  await until(page, () => {
    const meta = document.querySelector(".turn .meta");
    return Boolean(meta && meta.textContent.includes("final_answer"));
  });
  out.answer = await page.textContent(".answer");
  out.steps = await page.$$eval(".steps li", (items) => items.map((li) => li.textContent));
  out.meta = await page.textContent(".turn .meta");
  out.session = await page.textContent("#session");
  out.cost = await page.textContent("#cost");
  // A second question continues the same session.
  await page.fill("#question", "What is 2*21?");
  await page.press("#question", "Enter");
  await until(page, () => document.querySelectorAll(".turn .meta").length === 2 &&
                          document.querySelectorAll(".turn .meta")[1].textContent.includes("final_answer"));
  out.second_answer = await page.$$eval(".answer", (a) => a[1].textContent);
  out.second_session = await page.textContent("#session");
} catch (err) {
  out.error = String(err);
  try { out.page_text = await context.pages()[0].evaluate(() => document.body.innerText); } catch (_) {}
} finally {
  await context.close();
}
console.log(JSON.stringify(out));
