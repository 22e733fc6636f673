// The console in a real browser: Debian's Chromium (headless) driven by playwright-core, passkeys
// from a CDP virtual authenticator (CTAP2, internal, user verification). Run by
// tests/Custody.Daemon.Tests/ConsoleBrowserTests.cs against a daemon it started; reads its setup
// (console URL, tokens, request digests, wallets) as JSON on stdin, prints one line per check
// ("ok <name>: ...") and exits non-zero at the first failure.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

const setup = JSON.parse(await new Promise(resolve => { let s = ""; process.stdin.on("data", d => s += d).on("end", () => resolve(s)); }));
const { url, adminToken, aliceToken, bobToken, alice, bob, request, otherRequest, freezeWallet, screenshots } = setup;
const bound = 30_000; // every wait is for a condition, bounded
const ok = (name, detail = "") => console.log(`ok ${name}${detail ? ": " + detail : ""}`);
function check(condition, what) { if (!condition) throw new Error(what); }

// Headers of the page itself: CSP and friends.
const index = await fetch(url + "/");
const csp = index.headers.get("content-security-policy") ?? "";
check(csp.includes("default-src 'self'") && csp.includes("script-src 'self'") && csp.includes("frame-ancestors 'none'") && !csp.includes("unsafe-inline"), `CSP: ${csp}`);
check(index.headers.get("x-content-type-options") === "nosniff" && index.headers.get("referrer-policy") === "no-referrer", "nosniff / no-referrer headers");
check(!/<script(?![^>]*\bsrc=)[^>]*>/i.test(await index.text()), "the page holds an inline script");
ok("headers", csp);

// Sign-in from another site's page (login CSRF) is refused: the Origin is not the console's.
const forged = await fetch(url + "/session", { method: "POST", headers: { "Content-Type": "application/json", Origin: "http://evil.example" }, body: JSON.stringify({ token: adminToken }) });
check(forged.status === 403 && !forged.headers.get("set-cookie"), `cross-origin sign-in answered ${forged.status}`);
ok("cross-origin sign-in refused");

const browser = await chromium.launch({ executablePath: process.env.CUSTODY_CHROMIUM ?? "/usr/bin/chromium", headless: true, args: ["--no-sandbox"] });
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.setDefaultTimeout(bound);
  const violations = [];
  // Refused calls (401, 403) log "Failed to load resource" by design; a CSP violation or a script error must not happen.
  page.on("console", m => { if (m.type() === "error" && /Content.Security.Policy|Refused to/i.test(m.text())) violations.push(m.text()); });
  page.on("pageerror", e => violations.push(e.message));
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const authenticatorOptions = { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true };
  const { authenticatorId: firstAuthenticator } = await cdp.send("WebAuthn.addVirtualAuthenticator", { options: authenticatorOptions });
  mkdirSync(screenshots, { recursive: true });
  const shot = name => page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
  const message = () => page.locator("#message").textContent();
  const waitMessage = async pattern => { await page.waitForFunction(p => new RegExp(p).test(document.getElementById("message").textContent), pattern.source); return message(); };

  async function signIn(token, who) {
    await page.goto(url + "/");
    await page.fill("#token", token);
    await page.click("#sign-in-form button");
    await page.waitForFunction(w => document.getElementById("who").textContent.startsWith(w), who);
  }
  async function signOut() {
    await page.click("#sign-out");
    await page.waitForSelector("#sign-in-form", { state: "visible" });
  }
  /** A console API call from the page, as the signed-in session (csrf: the header to send, or none). */
  const inPage = (method, path, body, csrf) => page.evaluate(async ([method, path, body, csrf]) => {
    const headers = { "Content-Type": "application/json" };
    if (csrf) headers["X-Custody-CSRF"] = csrf;
    const r = await fetch(path, { method, headers, body: body === null ? undefined : JSON.stringify(body) });
    return { status: r.status, json: await r.json().catch(() => null) };
  }, [method, path, body, csrf]);

  // Admin signs in: the cookie is HttpOnly, SameSite=Strict, Path=/ (Secure only under TLS: this is loopback http).
  await signIn(adminToken, "admin");
  const [cookie] = await context.cookies();
  check(cookie && cookie.name === "custody_console" && cookie.httpOnly && cookie.sameSite === "Strict" && cookie.path === "/" && !cookie.secure, `cookie ${JSON.stringify({ ...cookie, value: "(not shown)" })}`);
  check(await page.evaluate(() => document.cookie) === "", "the page can read the session cookie");
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  check(!stored.includes(adminToken), "the token is in web storage");
  ok("session cookie", `${cookie.name}: HttpOnly, SameSite=Strict, Path=/, not readable by the page, token not stored`);

  // CSRF: without the header (a forged form or fetch), or with it from another Origin, nothing changes.
  const session = (await inPage("GET", "/session", null)).json;
  const noHeader = await inPage("PUT", `/v1/wallets/${freezeWallet}/freeze`, { reason: "csrf" }, null);
  check(noHeader.status === 403 && /X-Custody-CSRF/.test(noHeader.json.error), `no CSRF header: ${JSON.stringify(noHeader)}`);
  const wrongHeader = await inPage("PUT", `/v1/wallets/${freezeWallet}/freeze`, { reason: "csrf" }, "not-the-token");
  check(wrongHeader.status === 403, `wrong CSRF header: ${wrongHeader.status}`);
  const crossSite = await fetch(`${url}/v1/wallets/${freezeWallet}/freeze`, {
    method: "PUT", body: JSON.stringify({ reason: "csrf" }),
    headers: { "Content-Type": "application/json", Cookie: `${cookie.name}=${cookie.value}`, "X-Custody-CSRF": session.csrf, Origin: "http://evil.example" },
  });
  check(crossSite.status === 403, `cross-origin request with the right CSRF token: ${crossSite.status}`);
  check((await inPage("GET", `/v1/wallets/${freezeWallet}/freeze`, null)).json.frozen !== true, "a refused CSRF request froze the wallet");
  ok("csrf refused", "missing header, wrong header, foreign Origin: 403, wallet unchanged");

  // Health refreshes by itself.
  await page.waitForSelector("#health-hsm");
  check(/Healthy/.test(await page.textContent("#health-hsm")) && /Healthy/.test(await page.textContent("#health-ledger")), "health shows HSM and ledger");
  const firstUpdate = await page.getAttribute("#health", "data-updated");
  await page.waitForFunction(before => document.getElementById("health").dataset.updated !== before, firstUpdate);
  ok("health", `${await page.textContent("#health")} (refreshed)`);

  // The admin registers both approvers' passkeys; the browser's authenticator creates them.
  await page.click("nav button[data-page=passkeys]");
  for (const approver of [alice, bob]) {
    await page.fill("#approver-id", approver);
    await page.click("#passkey-form button");
    await page.waitForFunction(a => document.getElementById("passkey-result").textContent.startsWith(`approver ${a}\n`), approver);
  }
  ok("passkeys registered", `${alice}, ${bob}`);
  await shot("passkeys");

  // Approve the parked request as alice, in the browser; keep what the browser sent to misuse it below.
  await signOut();
  await signIn(aliceToken, alice);
  await page.waitForSelector(`#requests tr[data-digest="${request}"]`);
  check(/ETH to 0x/.test(await page.textContent(`#requests tr[data-digest="${request}"]`)), "the intent is not shown in ETH");
  await shot("requests");
  const sent = page.waitForRequest(r => r.url().endsWith(`/v1/requests/${request}:approve`));
  await page.click(`#requests tr[data-digest="${request}"] button.approve`);
  const captured = JSON.parse((await sent).postData());
  check(/approval recorded/.test(await waitMessage(/approval|refused/)), `alice's approval: ${await message()}`);
  ok("alice approved in the browser");

  // What the browser made, moved or altered, is refused by the daemon (as alice, through the console).
  const csrf = (await inPage("GET", "/session", null)).json.csrf;
  const submit = async (digest, passkey) => (await inPage("POST", `/v1/requests/${digest}:approve`, { passkey }, csrf)).json;
  const expectRefused = async (what, digest, passkey, reason) => {
    const answer = await submit(digest, passkey);
    check(answer.outcome === "Refused" && reason.test(answer.reason), `${what}: ${JSON.stringify(answer)}`);
    ok(`refused ${what}`, answer.reason);
  };
  await expectRefused("replayed assertion", request, captured.passkey, /signature counter did not advance/);
  await expectRefused("assertion for another request", otherRequest, captured.passkey, /challenge is not this statement's SHA-256/);
  const clientData = JSON.parse(Buffer.from(captured.passkey.clientDataJson, "base64").toString());
  check(clientData.origin === url, `the browser's origin ${clientData.origin}`);
  const elsewhere = Buffer.from(JSON.stringify({ ...clientData, origin: "http://evil.example" })).toString("base64");
  await expectRefused("wrong origin", request, { ...captured.passkey, clientDataJson: elsewhere }, /origin 'http:\/\/evil.example' is not one of the configured passkey origins/);
  const noUv = Buffer.from(captured.passkey.authenticatorData, "base64");
  check((noUv[32] & 0x04) !== 0, "the browser's assertion lacks the UV flag");
  noUv[32] &= ~0x04;
  await expectRefused("missing user verification", request, { ...captured.passkey, authenticatorData: noUv.toString("base64") }, /did not verify the user \(UV flag\)/);

  // Bob's approval reaches the quorum.
  await signOut();
  await signIn(bobToken, bob);
  await page.waitForSelector(`#requests tr[data-digest="${request}"] button.approve`);
  await page.click(`#requests tr[data-digest="${request}"] button.approve`);
  check(/quorum reached/.test(await waitMessage(/approval|refused/)), `bob's approval: ${await message()}`);
  ok("bob approved in the browser: quorum reached");

  // Passkey sign-in (discoverable credentials, no allow-list). The first authenticator holds both approvers'
  // resident keys; so that the browser has exactly one to offer, a second authenticator gets one at a time.
  await signOut();
  const bobCredentialId = Buffer.from(await page.evaluate(b => localStorage.getItem(`custody.passkey.${b}`), bob), "base64url").toString("base64");
  const bobCredential = (await cdp.send("WebAuthn.getCredentials", { authenticatorId: firstAuthenticator })).credentials.find(c => c.credentialId === bobCredentialId);
  check(bobCredential && bobCredential.isResidentCredential, `bob's passkey is not a resident key in the virtual authenticator: ${JSON.stringify(bobCredential && { ...bobCredential, privateKey: "(not shown)" })}`);
  await cdp.send("WebAuthn.removeVirtualAuthenticator", { authenticatorId: firstAuthenticator });
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", { options: authenticatorOptions });
  const emptyAuthenticator = async () => {
    for (const c of (await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials)
      await cdp.send("WebAuthn.removeCredential", { authenticatorId, credentialId: c.credentialId });
  };
  /** Clicks "Sign in with passkey" and answers what happened: the page's message, or who signed in. */
  const passkeySignIn = async () => {
    await page.evaluate(() => { document.getElementById("message").textContent = ""; });
    await page.click("#passkey-sign-in");
    await page.waitForFunction(() => document.getElementById("message").textContent || document.getElementById("who").textContent);
    return (await message()) || `signed in: ${await page.textContent("#who")}`;
  };

  // A passkey nobody registered as an approver signs nobody in.
  await page.evaluate(() => navigator.credentials.create({ publicKey: {
    rp: { name: "Custody", id: location.hostname }, user: { id: crypto.getRandomValues(new Uint8Array(16)), name: "stranger", displayName: "stranger" },
    challenge: crypto.getRandomValues(new Uint8Array(32)), pubKeyCredParams: [{ type: "public-key", alg: -7 }],
    authenticatorSelection: { residentKey: "required", userVerification: "required" },
  } }));
  const stranger = await passkeySignIn();
  check(/sign-in refused: this passkey is not registered to an approver/.test(stranger) && await page.isVisible("#sign-in-form"), `unregistered passkey: ${stranger}`);
  ok("refused unregistered passkey sign-in", stranger);

  // Bob's passkey signs bob in as an approver: the page lists the requests still waiting for him.
  await emptyAuthenticator();
  await cdp.send("WebAuthn.addCredential", { authenticatorId, credential: bobCredential });
  const signInSent = page.waitForRequest(r => r.url() === `${url}/session` && r.method() === "POST");
  await page.click("#passkey-sign-in");
  await page.waitForFunction(w => document.getElementById("who").textContent.startsWith(w), `${bob} (Approver, passkey)`);
  const signInBody = (await signInSent).postData();
  await page.waitForSelector(`#requests tr[data-digest="${otherRequest}"] button.approve`);
  ok("passkey sign-in", `${await page.textContent("#who")}; parked request listed`);
  await page.click(`#requests tr[data-digest="${otherRequest}"] button.approve`);
  check(/approval recorded/.test(await waitMessage(/approval|refused/)), `bob's approval in a passkey session: ${await message()}`);
  ok("passkey session approved a request");

  // Nothing beyond the approver role: an admin-only call is refused, even with an admin token slipped into the headers.
  const passkeyCsrf = (await inPage("GET", "/session", null)).json.csrf;
  const adminOnly = await page.evaluate(async ([csrf, adminToken]) => {
    const r = await fetch("/v1/approvers/mallory", { method: "PUT", body: JSON.stringify({ algorithm: "APPROVER_KEY_ALGORITHM_ED25519", publicKey: btoa("x".repeat(32)) }),
      headers: { "Content-Type": "application/json", "X-Custody-CSRF": csrf, Authorization: `Bearer ${adminToken}` } });
    return { status: r.status, text: await r.text() };
  }, [passkeyCsrf, adminToken]);
  check(adminOnly.status === 403 && /PERMISSION_DENIED|role/i.test(adminOnly.text), `admin-only call from a passkey session: ${JSON.stringify(adminOnly)}`);
  const unfreeze = await inPage("DELETE", `/v1/wallets/${freezeWallet}/freeze`, null, passkeyCsrf);
  check(unfreeze.status === 403, `unfreeze from a passkey session: ${JSON.stringify(unfreeze)}`);
  ok("admin-only refused in a passkey session", adminOnly.text.slice(0, 200));

  // The captured sign-in replayed, or with a challenge the console never issued, opens no session.
  const postSignIn = body => fetch(`${url}/session`, { method: "POST", body, headers: { "Content-Type": "application/json", Origin: url } })
    .then(async r => ({ status: r.status, cookie: r.headers.get("set-cookie"), json: await r.json() }));
  const replayed = await postSignIn(signInBody);
  check(replayed.status === 401 && !replayed.cookie && /challenge is unknown, used or expired/.test(replayed.json.error), `replayed sign-in: ${JSON.stringify(replayed)}`);
  ok("refused replayed sign-in", replayed.json.error);
  const captured2 = JSON.parse(signInBody);
  const signInClient = JSON.parse(Buffer.from(captured2.passkey.clientDataJson, "base64").toString());
  captured2.passkey.clientDataJson = Buffer.from(JSON.stringify({ ...signInClient, challenge: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url") })).toString("base64");
  const unknown = await postSignIn(JSON.stringify(captured2));
  check(unknown.status === 401 && !unknown.cookie && /challenge is unknown, used or expired/.test(unknown.json.error), `unknown challenge: ${JSON.stringify(unknown)}`);
  ok("refused unknown challenge", unknown.json.error);
  // A fresh challenge, but the authenticator data without the UV flag: user verification is required at sign-in too.
  const fresh = await (await fetch(`${url}/session/challenge`, { method: "POST", headers: { Origin: url } })).json();
  const noUvSignIn = JSON.parse(signInBody);
  noUvSignIn.passkey.clientDataJson = Buffer.from(JSON.stringify({ ...signInClient, challenge: fresh.challenge })).toString("base64");
  const flags = Buffer.from(noUvSignIn.passkey.authenticatorData, "base64");
  flags[32] &= ~0x04;
  noUvSignIn.passkey.authenticatorData = flags.toString("base64");
  const noUvAnswer = await postSignIn(JSON.stringify(noUvSignIn));
  check(noUvAnswer.status === 401 && !noUvAnswer.cookie && /did not verify the user \(UV flag\)/.test(noUvAnswer.json.error), `sign-in without UV: ${JSON.stringify(noUvAnswer)}`);
  ok("refused sign-in without user verification", noUvAnswer.json.error);

  // A clone of bob's authenticator (its counter behind the one recorded at sign-in) signs nobody in.
  await signOut();
  await emptyAuthenticator();
  await cdp.send("WebAuthn.addCredential", { authenticatorId, credential: { ...bobCredential, signCount: 0 } });
  const cloned = await passkeySignIn();
  check(/sign-in refused: the passkey's signature counter did not advance/.test(cloned), `cloned authenticator: ${cloned}`);
  ok("refused cloned passkey sign-in", cloned);

  // The admin freezes one wallet from the wallets page (the refused sign-in left the page signed out).
  await signIn(adminToken, "admin");
  await page.click("nav button[data-page=wallets]");
  await page.waitForSelector(`#wallets tr[data-wallet="${freezeWallet}"] button.freeze`);
  await page.click(`#wallets tr[data-wallet="${freezeWallet}"] button.freeze`);
  await page.waitForSelector(`#wallets tr[data-wallet="${freezeWallet}"] button.unfreeze`);
  await page.click(`#wallets tr[data-wallet="${freezeWallet}"] button:has-text("Show address")`);
  await page.waitForSelector(`#wallets tr[data-wallet="${freezeWallet}"] code`);
  await shot("wallets");
  ok("wallet frozen from the console", freezeWallet);

  // The audit page proves a record's inclusion in the browser, once every record is under a checkpoint.
  await page.waitForFunction(async () => (await (await fetch("/health")).json()).checkpointLag === 0, null, { polling: 250 });
  await page.click("nav button[data-page=audit]");
  const oldest = page.locator("#audit tr[data-sequence]").last();
  await oldest.locator("button.verify").click();
  await oldest.locator(".proof").waitFor();
  const verified = await oldest.locator(".proof").textContent();
  check(verified.startsWith("verified: ") && /signature verified/.test(verified), `proof: ${verified}`);
  await shot("audit");
  ok("inclusion proof verified in the browser", verified);

  // A proof altered on its way is shown as failed: one bit of a sibling hash, or of the checkpoint's signature.
  const tamperings = [
    [proof => { const b = Buffer.from(proof.path[0], "base64"); b[0] ^= 1; proof.path[0] = b.toString("base64"); }, /does not lead to the checkpoint's root/, "tampered proof shown as failed"],
    [proof => {
      const lines = proof.checkpoint.split("\n"), last = lines.indexOf("") + 1; // the first signature: the log's own
      const [dash, name, signature] = lines[last].split(" "), b = Buffer.from(signature, "base64");
      b[10] ^= 1;
      lines[last] = [dash, name, b.toString("base64")].join(" ");
      proof.checkpoint = lines.join("\n");
    }, /signature does not verify under the verifier key/, "tampered checkpoint signature shown as failed"],
  ];
  for (const [tamper, expected, name] of tamperings) {
    await page.route("**/v1/audit/records/*/proof", async route => {
      const response = await route.fetch();
      const proof = await response.json();
      tamper(proof);
      await route.fulfill({ response, json: proof });
    });
    await page.click("nav button[data-page=audit]");
    const again = page.locator("#audit tr[data-sequence]").last();
    await again.locator("button.verify").click();
    await again.locator(".proof").waitFor();
    const failed = await again.locator(".proof").textContent();
    check(failed.startsWith("FAILED: ") && expected.test(failed), `${name}: ${failed}`);
    ok(name, failed);
    await page.unroute("**/v1/audit/records/*/proof");
  }

  // Sign-out ends the session on the server: the old cookie no longer works.
  await signOut();
  const after = await fetch(`${url}/v1/wallets`, { headers: { Cookie: `${cookie.name}=${cookie.value}` } });
  check(after.status === 401, `after sign-out the old cookie answered ${after.status}`);
  ok("signed out", "the old session cookie is refused");

  check(violations.length === 0, `browser errors (CSP?): ${violations.join(" | ")}`);
  ok("no browser errors");
} finally {
  await browser.close();
}
