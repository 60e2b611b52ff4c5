// scanapp's page script: live parts and confirmations. The pages read without it.
"use strict";

// An element with data-refresh="URL" is replaced by what URL answers every data-every ms,
// until the answer has no data-refresh left (the run it follows has ended).
function followLive(element) {
  const every = Number(element.dataset.every || 2000);
  window.setTimeout(async () => {
    try {
      const response = await fetch(element.dataset.refresh, {headers: {"Accept": "text/html"}});
      if (!response.ok) { followLive(element); return; }
      const holder = document.createElement("div");
      holder.innerHTML = await response.text();
      const fresh = holder.firstElementChild;
      element.replaceWith(fresh);
      if (fresh.dataset.refresh) { followLive(fresh); } else { window.location.reload(); }
    } catch (error) {
      followLive(element);  // the server restarting: try again
    }
  }, every);
}

document.documentElement.classList.add("js");  // what a page may tell apart

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-refresh]").forEach(followLive);
  document.addEventListener("submit", (event) => {
    const question = event.target.dataset.confirm;
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });
});
