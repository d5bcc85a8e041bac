// 离线上报队列：网络中断时，上报（含照片）保存在本机 IndexedDB，联网后按原 client_id 发送。
// 服务器按 client_id 去重，同一条上报重发多次也只生成一个案件。
(function () {
  "use strict";
  var DB = "govgrid-offline", STORE = "reports";

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () { request.result.createObjectStore(STORE, { keyPath: "client_id" }); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function run(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode), result;
        var store = tx.objectStore(STORE);
        var request = work(store);
        if (request) { request.onsuccess = function () { result = request.result; }; }
        tx.oncomplete = function () { db.close(); resolve(result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }

  // An entry: the form's text fields, its photo as a Blob, when it was queued, and the last answer.
  function fromForm(form) {
    var fields = {}, photo = null, photoName = "";
    new FormData(form).forEach(function (value, key) {
      if (value instanceof Blob) {
        if (value.size) { photo = value; photoName = value.name || "photo.jpg"; }
      } else { fields[key] = value; }
    });
    return { client_id: fields.client_id, user: form.dataset.user || "", fields: fields, photo: photo,
             photo_name: photoName, queued_at: new Date().toISOString(), problem: "", held: false };
  }

  // the page's own form token, not the one the entry was made with: a login since then has a new one
  function currentToken() {
    var field = document.querySelector("input[name=csrf_token]");
    return field ? field.value : "";
  }

  function body(entry) {
    var data = new FormData();
    Object.keys(entry.fields).forEach(function (key) {
      data.append(key, key === "csrf_token" ? currentToken() || entry.fields[key] : entry.fields[key]);
    });
    if (entry.photo) { data.append("photo", entry.photo, entry.photo_name); }
    return data;
  }

  // Send one entry. Resolves {sent: true, answer} or {sent: false, problem, keep} — keep: try again later.
  function send(entry) {
    return fetch("/report", { method: "POST", body: body(entry), credentials: "same-origin",
                              headers: { Accept: "application/json" } })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (answer) {
          if (r.ok) { return { sent: true, answer: answer }; }
          var message = answer.error ? answer.error.message : "服务器返回 " + r.status;
          var retry = r.status === 429 || r.status >= 500 || r.status === 401;  // 403: held, not resent
          if (r.status === 401) { message = "登录已过期，请重新登录后再发送"; }
          return { sent: false, problem: message, field: answer.error ? answer.error.field : null, keep: retry };
        });
      }, function () { return { sent: false, offline: true, problem: "网络不可用", keep: true }; });
  }

  var flushing = null;
  // Send every queued entry in order; stop at the first network failure. Resolves the answers sent.
  function flush(user, onSent) {
    if (flushing) { return flushing; }
    flushing = all(user).then(function (entries) {
      var sent = [];
      return entries.reduce(function (chain, entry) {
        return chain.then(function (stop) {
          if (stop || entry.held) { return stop; }
          return send(entry).then(function (outcome) {
            if (outcome.sent) {
              sent.push(outcome.answer);
              if (onSent) { onSent(entry, outcome.answer); }
              return remove(entry.client_id).then(function () { return false; });
            }
            entry.problem = outcome.offline ? "" : outcome.problem;
            entry.held = !outcome.keep;  // refused as it stands: kept for the person to mend, not resent
            return put(entry).then(function () { return !!outcome.offline; });
          });
        });
      }, Promise.resolve(false)).then(function () { return sent; });
    }).finally(function () { flushing = null; });
    return flushing;
  }

  function put(entry) { return run("readwrite", function (s) { return s.put(entry); }); }
  function remove(id) { return run("readwrite", function (s) { return s.delete(id); }); }
  // a person's own entries only: on a shared phone nobody sees, edits or sends another's reports
  function all(user) {
    return run("readonly", function (s) { return s.getAll(); }).then(function (list) {
      return (list || []).filter(function (e) { return e.user === user; })
        .sort(function (a, b) { return a.queued_at < b.queued_at ? -1 : 1; });
    });
  }

  window.govgridQueue = { fromForm: fromForm, send: send, put: put, remove: remove, all: all, flush: flush };
})();
