// The upload page: posts the form to /api/report, shows the verdict and the HTML report, and offers
// the JSON, Markdown, HTML and Excel downloads. Stateless: the Excel download posts the form again.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  let urls = [];

  function blobLink(id, text, type) {
    const url = URL.createObjectURL(new Blob([text], { type }));
    urls.push(url);
    $(id).href = url;
  }

  function showError(p) {
    $("result").hidden = true;
    $("error").hidden = false;
    $("error-detail").textContent = p.detail || p.title || "error";
    const list = $("error-list");
    list.textContent = "";
    for (const e of p.errors || []) {
      const li = document.createElement("li");
      li.textContent = [e.loc, e.message, e.expected ? "(expected " + e.expected + ")" : "", e.hint || "", "[" + e.code + "]"]
        .filter(Boolean).join(" ");
      list.appendChild(li);
    }
  }

  async function post(path) {
    const data = new FormData($("check-form"));
    const file = $("pdd").files[0];
    if (!file) data.delete("pdd");
    return fetch(path, { method: "POST", body: data });
  }

  async function check(ev) {
    ev.preventDefault();
    urls.forEach((u) => URL.revokeObjectURL(u));
    urls = [];
    $("busy").hidden = false;
    $("error").hidden = true;
    try {
      const res = await post("/api/report");
      const body = await res.json();
      if (!res.ok) { showError(body); return; }
      $("verdict").textContent = body.verdict;
      $("verdict").className = body.exit_code ? "fail" : "ok";
      $("issuable-label").textContent = body.issuable_label;
      $("issuable").textContent = body.issuable === null ? "-" : body.issuable.toLocaleString("en");
      $("counts").textContent = Object.entries(body.summary).map(([k, n]) => n + " " + k.replace("_", " ")).join(", ");
      $("report").srcdoc = body.html;
      blobLink("dl-json", JSON.stringify(body.json, null, 2) + "\n", "application/json");
      blobLink("dl-markdown", body.markdown, "text/markdown");
      blobLink("dl-html", body.html, "text/html");
      $("result").hidden = false;
    } catch (e) {
      showError({ detail: String(e) });
    } finally {
      $("busy").hidden = true;
    }
  }

  async function excel(ev) {
    ev.preventDefault();
    const res = await post("/api/check?format=xlsx");
    if (!res.ok) { showError(await res.json()); return; }
    const url = URL.createObjectURL(await res.blob());
    const a = document.createElement("a");
    a.href = url; a.download = "pacm-report.xlsx";
    document.body.appendChild(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("check-form").addEventListener("submit", check);
    $("dl-xlsx").addEventListener("click", excel);
    const lang = document.documentElement.lang;
    if (lang) $("lang").value = lang;
  });
})();
