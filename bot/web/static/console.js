// The console's only script of its own (no inline scripts: the CSP forbids them).
// htmx requests carry the CSRF token; a button with data-confirm asks first. Every
// word it shows comes from the page (data-confirm, data-text-*), in the console's
// language: `say` fills a text's {placeholders}.
function say(text, values) {
  return (text || "").replace(/\{(\w+)\}/g, (whole, key) => (key in values ? values[key] : whole));
}

document.addEventListener("htmx:configRequest", (event) => {
  event.detail.headers["X-CSRF-Token"] = document.body.dataset.csrf || "";
});
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  const message = (button && button.dataset.confirm) || event.target.dataset.confirm;
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
}, true);

// Upload forms (data-upload): files dropped on the zone go into the form's file input,
// the chosen files are listed, the bar shows them being sent, and a refusal of the
// whole request (not a file's: those are in the job's lines) shows in the form.
function uploadForm(element) {
  return element && element.closest ? element.closest("form[data-upload]") : null;
}

function listChosen(form) {
  const input = form.querySelector("input[type=file]");
  const list = form.querySelector(".chosen");
  list.replaceChildren(...Array.from(input.files).map((file) => {
    const item = document.createElement("li");
    const number = (value, digits) => value.toLocaleString(document.documentElement.lang || undefined,
      {maximumFractionDigits: digits, minimumFractionDigits: digits});
    const size = file.size < 1e6
      ? say(form.dataset.textKb, {size: number(Math.max(1, Math.round(file.size / 1e3)), 0)})
      : say(form.dataset.textMb, {size: number(file.size / 1e6, 1)});
    item.textContent = say(form.dataset.textChosen, {name: file.name, size});
    return item;
  }));
  list.hidden = input.files.length === 0;
}

function showError(form, message) {
  const box = form.querySelector("[role=alert]");
  box.textContent = message;
  box.hidden = !message;
}

document.addEventListener("dragover", (event) => {
  const zone = event.target.closest && event.target.closest(".drop-zone");
  if (zone) {
    event.preventDefault();
    zone.classList.add("dragging");
  }
});
document.addEventListener("dragleave", (event) => {
  const zone = event.target.closest && event.target.closest(".drop-zone");
  if (zone && !zone.contains(event.relatedTarget)) {
    zone.classList.remove("dragging");
  }
});
document.addEventListener("drop", (event) => {
  const zone = event.target.closest && event.target.closest(".drop-zone");
  const form = uploadForm(zone);
  if (!form) {
    return;
  }
  event.preventDefault();
  zone.classList.remove("dragging");
  form.querySelector("input[type=file]").files = event.dataTransfer.files;
  listChosen(form);
});
document.addEventListener("change", (event) => {
  const form = uploadForm(event.target);
  if (form && event.target.type === "file") {
    listChosen(form);
  }
});
document.addEventListener("htmx:beforeRequest", (event) => {
  const form = uploadForm(event.detail.elt);
  if (form) {
    showError(form, "");
    form.querySelector(".sending").hidden = false;
    form.querySelector("button[type=submit]").disabled = true;
  }
});
document.addEventListener("htmx:xhr:progress", (event) => {
  const form = uploadForm(event.target);
  if (form && event.detail.lengthComputable) {
    form.querySelector(".sending").value = event.detail.loaded / event.detail.total;
  }
});
document.addEventListener("htmx:afterRequest", (event) => {
  const form = uploadForm(event.detail.elt);
  if (!form) {
    return;
  }
  form.querySelector(".sending").hidden = true;
  form.querySelector("button[type=submit]").disabled = false;
  if (event.detail.successful) {
    form.reset();
    listChosen(form);
  }
});
// A refused htmx request (a 400 or 403) says why, in its form or, failing that, aloud.
document.addEventListener("htmx:responseError", (event) => {
  let message = say(document.body.dataset.textFailed, {status: event.detail.xhr.status});
  try {
    message = JSON.parse(event.detail.xhr.responseText).error || message;
  } catch (ignored) {
    // not JSON (a proxy's page, say): the page's words for a failure
  }
  const form = uploadForm(event.detail.elt);
  if (form) {
    showError(form, message);
  } else if (event.detail.elt.closest("form")) {
    window.alert(message);
  }
});
