"use strict";
// The operator console: plain DOM, no framework. Every call goes to the console's own origin; the
// daemon runs it as the HTTP/JSON API call of the signed-in token or passkey approver (same roles
// and scopes). The token is posted once at sign-in and never stored by the page; the session id is
// an HttpOnly cookie; the CSRF token lives in this page's memory only.
let session = null;
let healthTimer;
let verifierKey = "";
const $ = (id) => document.getElementById(id);
function say(text, bad = false) {
    const m = $("message");
    m.textContent = text;
    m.className = bad ? "bad" : "ok";
}
function el(tag, text, attrs = {}) {
    const e = document.createElement(tag);
    if (text !== undefined)
        e.textContent = text;
    for (const [k, v] of Object.entries(attrs))
        e.setAttribute(k, v);
    return e;
}
/** A call to the console's origin; state-changing ones carry the session's CSRF token. Throws the server's message. */
async function api(method, path, body) {
    const headers = {};
    if (body !== undefined)
        headers["Content-Type"] = "application/json";
    if (method !== "GET" && session)
        headers["X-Custody-CSRF"] = session.csrf;
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin" });
    const text = await response.text();
    const json = text ? JSON.parse(text) : {};
    if (response.status === 401 && path !== "/session")
        signedOut("the session expired: sign in again");
    if (!response.ok)
        throw new Error(json.error ?? json.message ?? `${response.status} ${response.statusText}`);
    return json;
}
// Native assets' decimals, to show base units as people read them; tokens stay in base units.
const NATIVE = { eth: ["ETH", 18], btc: ["BTC", 8], "btc-testnet": ["tBTC", 8], ltc: ["LTC", 8], doge: ["DOGE", 8], trx: ["TRX", 6], sol: ["SOL", 9] };
function human(chain, asset, amount) {
    const [symbol, decimals] = NATIVE[chain] ?? (chain.startsWith("evm:") ? ["native", 18] : ["", 0]);
    if (asset !== "native" || !symbol)
        return `${amount} base units of ${asset}`;
    const digits = amount.padStart(decimals + 1, "0");
    const whole = digits.slice(0, digits.length - decimals), fraction = digits.slice(digits.length - decimals).replace(/0+$/, "");
    return `${whole}${fraction ? "." + fraction : ""} ${symbol}`;
}
function base64url(bytes) {
    const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
    return btoa(String.fromCharCode(...b)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
function base64(bytes) {
    return btoa(String.fromCharCode(...new Uint8Array(bytes)));
}
function fromBase64url(text) {
    const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(binary, c => c.charCodeAt(0));
}
// Credential ids are public; the page remembers which one is whose so an approval asks for the right passkey.
const credentialKey = (approver) => `custody.passkey.${approver}`;
/** Approve or reject with the signed-in approver's passkey: the challenge is SHA-256 of the exact statement. */
async function verdict(request, approve) {
    const statement = approve ? request.approveStatement : request.rejectStatement;
    const challenge = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(statement));
    const known = localStorage.getItem(credentialKey(session.principal));
    const credential = await navigator.credentials.get({
        publicKey: {
            challenge, userVerification: "required", timeout: 60_000,
            allowCredentials: known ? [{ type: "public-key", id: fromBase64url(known) }] : [],
        },
    });
    if (!credential)
        throw new Error("no passkey answered");
    const assertion = credential.response;
    const answer = await api("POST", `/v1/requests/${request.requestDigest}:${approve ? "approve" : "reject"}`, {
        passkey: { authenticatorData: base64(assertion.authenticatorData), clientDataJson: base64(assertion.clientDataJSON), signature: base64(assertion.signature) },
    });
    if (answer.outcome === "Refused")
        throw new Error(`refused: ${answer.reason}`);
    say(`${approve ? "approval" : "rejection"} ${answer.outcome.toLowerCase()}${answer.quorumReached ? ": quorum reached, the request can now be signed" : ""}`);
    await showRequests();
}
/** An approver signs in with a discoverable passkey: the console's one-time challenge, then the assertion. */
async function passkeySignIn() {
    const { challenge, rpId, timeoutMs } = await api("POST", "/session/challenge", {});
    const credential = await navigator.credentials.get({
        publicKey: { challenge: fromBase64url(challenge), rpId, userVerification: "required", timeout: timeoutMs },
    });
    if (!credential)
        throw new Error("no passkey answered");
    const assertion = credential.response;
    const s = await api("POST", "/session", {
        passkey: {
            credentialId: base64(credential.rawId), authenticatorData: base64(assertion.authenticatorData),
            clientDataJson: base64(assertion.clientDataJSON), signature: base64(assertion.signature),
        },
    });
    localStorage.setItem(credentialKey(s.principal), base64url(credential.rawId)); // approvals then ask for this passkey
    say("");
    signedIn(s);
}
async function showRequests() {
    const { requests = [] } = await api("GET", "/v1/requests?limit=100");
    const table = el("table", undefined, { id: "requests" });
    table.append(row("th", ["Request", "Wallet", "Intent", "Policy", "Expires", "State", ""]));
    for (const r of requests) {
        const intent = (r.intent?.outputs ?? []).map(o => `${human(r.chain, o.asset, o.amount)} to ${o.destination || "(unresolved)"}${o.isChange ? " (change)" : ""}`);
        if (r.intent?.call)
            intent.push(`call ${r.intent.call.selector} on ${r.intent.call.contract}, value ${human(r.chain, "native", r.intent.call.value || "0")}`);
        if (r.intent?.fee)
            intent.push(`fee at most ${human(r.chain, "native", r.intent.fee)}`);
        const tr = row("td", [`${r.requestId} by ${r.principal}`, r.walletId, intent.join("; "), `v${r.policyVersion}, ${r.approvalsRequired} approvals`,
            new Date(r.expiresAt).toISOString(), r.state, ""]);
        tr.dataset.digest = r.requestDigest;
        if (r.state === "Pending") {
            const approve = el("button", "Approve with passkey", { class: "approve" }), reject = el("button", "Reject with passkey", { class: "reject danger" });
            approve.onclick = () => verdict(r, true).catch(e => say(e.message, true));
            reject.onclick = () => verdict(r, false).catch(e => say(e.message, true));
            tr.lastElementChild.append(approve, " ", reject);
        }
        table.append(tr);
    }
    show(el("h2", "Parked requests"), requests.length ? table : el("p", "No parked request."));
}
async function showWallets() {
    const { wallets = [] } = await api("GET", "/v1/wallets?pageSize=500");
    const table = el("table", undefined, { id: "wallets" });
    table.append(row("th", ["Wallet", "Kind", "Backup", "Frozen", "Address (eth, index 0)", ""]));
    for (const w of wallets) {
        const freeze = await api("GET", `/v1/wallets/${w.walletId}/freeze`);
        const tr = row("td", [`${w.name} (${w.walletId})`, w.kind.replace("WALLET_KIND_", ""), w.backup.replace("WALLET_BACKUP_", ""),
            freeze.frozen ? `frozen by ${freeze.frozenBy}: ${freeze.reason}` : "no", "", ""]);
        tr.dataset.wallet = w.walletId;
        const address = el("button", "Show address");
        address.onclick = () => api("POST", `/v1/wallets/${w.walletId}/addresses`, { chain: "eth", index: 0 })
            .then(a => { address.replaceWith(el("code", `${a.address} (${a.derivationPath})`)); }).catch(e => say(e.message, true));
        tr.children[4].append(address);
        const button = el("button", freeze.frozen ? "Unfreeze" : "Freeze", { class: freeze.frozen ? "unfreeze" : "freeze danger" });
        button.onclick = () => (freeze.frozen
            ? api("DELETE", `/v1/wallets/${w.walletId}/freeze`)
            : api("PUT", `/v1/wallets/${w.walletId}/freeze`, { reason: `frozen from the console by ${session.principal}` }))
            .then(() => { say(`${w.walletId} ${freeze.frozen ? "unfrozen" : "frozen"}`); return showWallets(); }).catch(e => say(e.message, true));
        tr.lastElementChild.append(button);
        table.append(tr);
    }
    show(el("h2", "Wallets"), wallets.length ? table : el("p", "No wallet."));
}
async function showAudit() {
    const health = await api("GET", "/health");
    const from = Math.max(0, health.auditRecords - 50);
    const { records = [] } = await api("GET", `/v1/audit/records?fromSequence=${from}&limit=50`);
    const table = el("table", undefined, { id: "audit" });
    table.append(row("th", ["#", "Time", "Principal", "Action", "Wallet", "Decision", "Inclusion proof"]));
    for (const r of records.reverse()) {
        const tr = row("td", [r.sequence, r.time, r.principal, r.action, r.walletId ?? "", r.decision ?? "", ""]);
        tr.dataset.sequence = r.sequence;
        const check = el("button", "Verify", { class: "verify" });
        check.onclick = async () => {
            const cell = tr.lastElementChild;
            try {
                const proof = await api("GET", `/v1/audit/records/${r.sequence}/proof`);
                cell.replaceChildren(el("span", "verified: " + await verifyInclusion(proof, verifierKey), { class: "ok proof" }));
            }
            catch (e) {
                cell.replaceChildren(el("span", "FAILED: " + e.message, { class: "bad proof" }));
            }
        };
        tr.lastElementChild.append(check);
        table.append(tr);
    }
    show(el("h2", "Audit log (newest 50)"), el("p", `Checkpoints verified in this browser with the verifier key ${verifierKey}; compare it with the one you published.`, { class: "hint" }), table);
}
async function showPasskeys() {
    const form = el("form", undefined, { id: "passkey-form" });
    const id = el("input", undefined, { id: "approver-id", required: "", placeholder: "approver id" });
    form.append(el("label", "Approver"), id, el("button", "Create a passkey here and register it", { type: "submit" }));
    const out = el("pre", undefined, { id: "passkey-result" });
    form.onsubmit = async (event) => {
        event.preventDefault();
        try {
            out.textContent = await registerPasskey(id.value.trim());
        }
        catch (e) {
            say(e.message, true);
        }
    };
    show(el("h2", "Approver passkeys"), el("p", "The approver's authenticator creates the credential in this browser (user verification required); an admin session then registers it (PolicyService.RegisterApprover, audited).", { class: "hint" }), form, out);
}
async function registerPasskey(approver) {
    const credential = await navigator.credentials.create({
        publicKey: {
            rp: { name: "Custody", id: location.hostname },
            user: { id: crypto.getRandomValues(new Uint8Array(16)), name: approver, displayName: approver },
            challenge: crypto.getRandomValues(new Uint8Array(32)), // attestation is not checked: the admin vouches for the credential
            pubKeyCredParams: [{ type: "public-key", alg: -7 }, { type: "public-key", alg: -8 }],
            authenticatorSelection: { userVerification: "required", residentKey: "preferred" },
            timeout: 60_000,
        },
    });
    if (!credential)
        throw new Error("no passkey was created");
    const response = credential.response;
    const publicKey = response.getPublicKey();
    if (!publicKey)
        throw new Error("the authenticator returned no public key");
    const algorithm = response.getPublicKeyAlgorithm() === -8 ? "APPROVER_KEY_ALGORITHM_PASSKEY_EDDSA" : "APPROVER_KEY_ALGORITHM_PASSKEY_ES256";
    localStorage.setItem(credentialKey(approver), base64url(credential.rawId));
    await api("PUT", `/v1/approvers/${encodeURIComponent(approver)}`, { algorithm, publicKey: base64(publicKey), credentialId: base64(credential.rawId) });
    say(`passkey registered for ${approver}`);
    return `approver ${approver}\nalgorithm ${algorithm}\ncredential id ${base64url(credential.rawId)}`;
}
function row(cell, texts) {
    const tr = el("tr");
    for (const t of texts)
        tr.append(el(cell, t));
    return tr;
}
function show(...nodes) {
    $("page").replaceChildren(...nodes);
}
async function refreshHealth() {
    const h = await api("GET", "/health");
    verifierKey = h.verifierKey;
    const box = $("health");
    box.replaceChildren(el("strong", `health: ${h.status}`, { class: h.status === "Healthy" ? "ok" : "bad" }));
    for (const [name, check] of Object.entries(h.checks))
        box.append(" · ", el("span", `${name} ${check.status}${check.description ? ` (${check.description})` : ""}`, { class: check.status === "Healthy" ? "ok" : "bad", id: `health-${name}` }));
    box.append(" · ", el("span", `checkpoint lag ${h.checkpointLag} of ${h.auditRecords} records`, { id: "health-lag" }));
    box.dataset.updated = new Date().toISOString();
}
const pages = { requests: showRequests, wallets: showWallets, audit: showAudit, passkeys: showPasskeys };
function signedIn(s) {
    session = s;
    $("sign-in").hidden = true;
    $("tabs").hidden = false;
    $("health").hidden = false;
    $("sign-out").hidden = false;
    $("who").textContent = `${s.principal} (${s.roles}${s.passkey ? ", passkey" : ""}), session until ${new Date(s.expiresAt).toLocaleTimeString()}`;
    refreshHealth().catch(e => say(e.message, true));
    healthTimer = window.setInterval(() => refreshHealth().catch(e => say(e.message, true)), 5_000);
    showRequests().catch(e => say(e.message, true));
}
function signedOut(why) {
    session = null;
    window.clearInterval(healthTimer);
    $("sign-in").hidden = false;
    for (const id of ["tabs", "health", "sign-out"])
        $(id).hidden = true;
    $("who").textContent = "";
    $("page").replaceChildren();
    say(why);
}
document.addEventListener("DOMContentLoaded", () => {
    $("sign-in-form").addEventListener("submit", event => {
        event.preventDefault();
        const input = $("token");
        const token = input.value.trim();
        input.value = ""; // the page keeps no copy
        api("POST", "/session", { token }).then(s => { say(""); signedIn(s); }).catch(e => say(e.message, true));
    });
    $("passkey-sign-in").onclick = () => passkeySignIn().catch(e => say(e.message, true));
    $("sign-out").onclick = () => api("DELETE", "/session").then(() => signedOut("signed out")).catch(e => say(e.message, true));
    $("freeze-all").onclick = () => {
        if (!confirm("Freeze all signing on every wallet now?"))
            return;
        api("PUT", "/v1/freeze", { reason: `global freeze from the console by ${session.principal}` })
            .then(() => say("everything frozen: no signature is made until an admin unfreezes")).catch(e => say(e.message, true));
    };
    for (const button of document.querySelectorAll("nav button[data-page]"))
        button.onclick = () => pages[button.dataset.page]().catch(e => say(e.message, true));
    api("GET", "/session").then(signedIn).catch(() => signedOut(""));
});
// Audit proofs checked in the browser with WebCrypto: the record's leaf hash, its inclusion path
// (RFC 9162 section 2.1.3.2) up to the checkpoint's root, and the checkpoint's Ed25519 signature
// (C2SP signed note) under the verifier key. The daemon's answer is never taken on trust.
const encoder = new TextEncoder();
function fromBase64(text) {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++)
        bytes[i] = binary.charCodeAt(i);
    return bytes;
}
function concat(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
        out.set(p, at);
        at += p.length;
    }
    return out;
}
async function sha256(...parts) {
    return new Uint8Array(await crypto.subtle.digest("SHA-256", concat(...parts)));
}
function equal(a, b) {
    return a.length === b.length && a.every((x, i) => x === b[i]);
}
/** The root the path leads to from leaf `index` of a tree of `size` leaves, or null when it cannot. */
async function rootFromPath(index, size, leaf, path) {
    if (index >= size)
        return null;
    let fn = index, sn = size - 1n, r = leaf;
    for (const p of path) {
        if (p.length !== 32 || sn === 0n)
            return null;
        if ((fn & 1n) === 1n || fn === sn) {
            r = await sha256(Uint8Array.of(1), p, r);
            if ((fn & 1n) === 0n)
                while ((fn & 1n) === 0n && fn !== 0n) {
                    fn >>= 1n;
                    sn >>= 1n;
                }
        }
        else {
            r = await sha256(Uint8Array.of(1), r, p);
        }
        fn >>= 1n;
        sn >>= 1n;
    }
    return sn === 0n ? r : null;
}
/** Checks the C2SP signed note's signature by `vkey` (name+hexid+base64(0x01 ‖ key)); the note's body lines, or throws. */
async function verifyNote(note, vkey) {
    // The key's base64 may itself hold '+': only the first two separate fields.
    const first = vkey.indexOf("+"), second = vkey.indexOf("+", first + 1);
    const [name, id, key] = [vkey.slice(0, first), vkey.slice(first + 1, second), vkey.slice(second + 1)];
    const keyBytes = fromBase64(key ?? "");
    if (keyBytes.length !== 33 || keyBytes[0] !== 1)
        throw new Error("the verifier key is not an Ed25519 signed-note key");
    const split = note.lastIndexOf("\n\n");
    if (split < 0)
        throw new Error("the checkpoint is not a signed note");
    const body = note.slice(0, split + 1);
    const publicKey = await crypto.subtle.importKey("raw", keyBytes.slice(1), { name: "Ed25519" }, false, ["verify"]);
    for (const line of note.slice(split + 2).split("\n")) {
        const [dash, signer, signature] = line.split(" ");
        if (dash !== "\u2014" || signer !== name || !signature)
            continue;
        const bytes = fromBase64(signature);
        const keyId = Array.from(bytes.slice(0, 4), b => b.toString(16).padStart(2, "0")).join("");
        if (keyId !== id || bytes.length !== 68)
            continue;
        if (await crypto.subtle.verify({ name: "Ed25519" }, publicKey, bytes.slice(4), encoder.encode(body)))
            return body.split("\n");
        throw new Error("the checkpoint's signature does not verify under the verifier key");
    }
    throw new Error(`the checkpoint carries no signature by ${name}`);
}
/** Proves the record is in the signed checkpoint; a sentence saying what was checked, or throws saying what failed. */
async function verifyInclusion(proof, vkey) {
    const [origin, size, root] = await verifyNote(proof.checkpoint, vkey);
    if (size !== proof.treeSize)
        throw new Error(`the proof is for tree size ${proof.treeSize}, the checkpoint for ${size}`);
    const leaf = await sha256(Uint8Array.of(0), fromBase64(proof.recordData));
    const computed = await rootFromPath(BigInt(proof.sequence), BigInt(proof.treeSize), leaf, proof.path.map(fromBase64));
    if (computed === null || !equal(computed, fromBase64(root ?? "")))
        throw new Error(`record ${proof.sequence}: the inclusion proof does not lead to the checkpoint's root`);
    return `record ${proof.sequence} is in checkpoint ${proof.checkpointIndex} of ${origin} (tree size ${size}), signature verified`;
}
