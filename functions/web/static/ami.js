/* AMI garantie, plateforme : ce que le script ajoute aux pages, qui fonctionnent sans lui.
   - dépôt d'une pièce avec barre de progression, refus immédiat d'un fichier trop lourd ou qui n'est
     pas un PDF (avant tout envoi), puis attente du verdict de la vérification ;
   - suggestions de communes (nom, code postal ou code INSEE) et zone de la commune choisie ;
   - enregistrement automatique du brouillon. */
(function () {
  "use strict";

  function octets(n) {
    if (n < 1024) { return n + "\u00a0octets"; }
    var units = [["Ko", 1024], ["Mo", 1048576], ["Go", 1073741824]];
    for (var i = 0; i < units.length; i++) {
      var v = n / units[i][1];
      if (v < 1024 || i === units.length - 1) {
        return (Math.round(v * 10) / 10).toString().replace(".", ",") + "\u00a0" + units[i][0];
      }
    }
    return String(n);
  }

  function showError(form, message) {
    var error = form.querySelector(".erreur");
    var input = form.querySelector("input[type=file]");
    error.textContent = message;
    error.hidden = !message;
    if (message) {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", error.id + " " + input.id + "-statut");
      input.focus();
    } else {
      input.removeAttribute("aria-invalid");
    }
  }

  function say(form, message) {
    form.querySelector(".statut-depot").textContent = message;
  }

  function waitForVerdict(form, deadline) {
    var before = parseInt(form.dataset.avant, 10);
    fetch(form.dataset.etat, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (state) {
        var seen = state.pieces[form.dataset.piece];
        if (seen > before && form.dataset.suite) {
          window.location.assign(form.dataset.suite);  // the page that tells the verdict (the signed convention)
        } else if (seen > before) {
          // A new address each time (the version count), so that the page is loaded again, not just scrolled.
          window.location.assign(window.location.pathname + "?verdict=" + form.dataset.piece + "-" + seen +
                                 "#piece-" + form.dataset.piece);
        } else if (Date.now() > deadline) {
          say(form, "La vérification prend plus de temps que prévu : rechargez la page dans un moment.");
        } else {
          window.setTimeout(function () { waitForVerdict(form, deadline); }, 800);
        }
      })
      .catch(function () { window.setTimeout(function () { waitForVerdict(form, deadline); }, 1500); });
  }

  function upload(form, file) {
    var progress = form.querySelector("progress");
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    say(form, "Préparation du dépôt…");
    fetch(form.dataset.formulaire, {
      method: "POST", credentials: "same-origin",
      headers: {"X-CSRF-Token": form.dataset.csrf, "Accept": "application/json"}
    }).then(function (r) {
      if (!r.ok) { throw new Error("formulaire"); }
      return r.json();
    }).then(function (post) {
      var data = new FormData();
      Object.keys(post.fields).forEach(function (k) { data.append(k, post.fields[k]); });
      data.append("file", file);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", post.url);
      progress.hidden = false;
      progress.value = 0;
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          progress.value = Math.round(100 * e.loaded / e.total);
          progress.setAttribute("aria-valuetext", progress.value + " %");
        }
      });
      xhr.addEventListener("load", function () {
        if (xhr.status >= 200 && xhr.status < 300) {
          progress.value = 100;
          say(form, "Fichier reçu : vérification en cours…");
          waitForVerdict(form, Date.now() + 60000);
        } else {
          button.disabled = false;
          progress.hidden = true;
          say(form, "");
          showError(form, "Le dépôt a été refusé par le stockage (fichier trop lourd, ou formulaire expiré) : rechargez la page et recommencez.");
        }
      });
      xhr.addEventListener("error", function () {
        button.disabled = false;
        progress.hidden = true;
        say(form, "");
        showError(form, "Le dépôt n'a pas abouti (connexion interrompue) : recommencez.");
      });
      say(form, "Dépôt en cours…");
      xhr.send(data);
    }).catch(function () {
      button.disabled = false;
      say(form, "");
      showError(form, "Le dépôt n'a pas pu commencer : rechargez la page et recommencez.");
    });
  }

  document.querySelectorAll("form.depot").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var input = form.querySelector("input[type=file]");
      var file = input.files && input.files[0];
      var max = parseInt(form.dataset.max, 10);
      if (!file) { showError(form, "Choisissez d'abord le fichier à déposer."); return; }
      // The kind of file the piece is (the dispositif's rules): a PDF, or the programmation's Excel workbook.
      if (form.dataset.type === "xlsx") {
        if (!/\.xlsx$/i.test(file.name)) {
          showError(form, "Ce fichier n'est pas un classeur Excel .xlsx : « " + file.name + " ». Déposez le tableau au format .xlsx, sans macro.");
          return;
        }
      } else if (!(file.type === "application/pdf" || /\.pdf$/i.test(file.name))) {
        showError(form, "Ce fichier n'est pas un PDF : « " + file.name + " ». Déposez la pièce au format PDF."); return;
      }
      if (file.size === 0) { showError(form, "Ce fichier est vide : « " + file.name + " »."); return; }
      if (file.size > max) {
        showError(form, "Ce fichier pèse " + octets(file.size) + " : la limite est de " + octets(max) + ". Réduisez-le, puis déposez-le de nouveau.");
        return;
      }
      showError(form, "");
      upload(form, file);
    });
  });

  var timer = null;
  document.querySelectorAll("input[data-communes]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var zone = document.getElementById("zone-suggestion");
    var known = {};
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      var q = input.value.trim();
      if (zone) { zone.textContent = known[q] || ""; }
      if (q.length < 2 || /\(\d[0-9AB]\d{3}\)$/.test(q)) { return; }
      timer = window.setTimeout(function () {
        fetch(input.dataset.communes + "?q=" + encodeURIComponent(q), {headers: {"Accept": "application/json"}})
          .then(function (r) { return r.json(); })
          .then(function (found) {
            list.textContent = "";
            found.forEach(function (c) {
              var option = document.createElement("option");
              var postcodes = c.codes_postaux.length > 3 ? c.codes_postaux.slice(0, 3).join(", ") + "…"
                                                         : c.codes_postaux.join(", ");
              option.value = c.nom + " (" + c.insee + ")";
              option.label = postcodes + " — département " + c.departement + ", zone " + c.zone;
              known[option.value] = c.nom + " (" + c.insee + "), code postal " + postcodes + ", département " +
                                    c.departement + " : zone " + c.zone + ".";
              list.appendChild(option);
            });
          })
          .catch(function () { /* suggestions only: the field works without them */ });
      }, 200);
    });
  });

  /* Enregistrement automatique du brouillon : 1,5 s après la dernière saisie, le formulaire est envoyé
     (jeton CSRF en en-tête) avec la version de la page ; un brouillon enregistré ailleurs entre-temps
     (autre onglet, collègue) n'est jamais écrasé : le serveur refuse et la page le dit. */
  var draft = document.querySelector("form[data-brouillon]");
  if (draft && window.URLSearchParams && window.FormData) {
    var status = document.getElementById("statut-brouillon");
    var version = draft.querySelector("input[name=version]");
    var saveTimer = null, inFlight = false, waitingSubmit = null, stopped = false, submitting = false;
    // What was typed (without the version, which each save changes).
    var serialize = function () {
      var data = new FormData(draft);
      data.delete("version");
      return new URLSearchParams(data).toString();
    };
    var lastSaved = serialize();
    var show = function (text, warning) {
      status.textContent = text;
      status.className = "statut-brouillon" + (warning ? " avertissement-brouillon" : "");
    };
    var save = function () {
      saveTimer = null;
      var body = serialize();
      if (stopped || submitting || inFlight || body === lastSaved) { return; }
      inFlight = true;
      fetch(draft.dataset.brouillon, {
        method: "POST", credentials: "same-origin", body: body + "&version=" + encodeURIComponent(version.value),
        headers: {"Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": draft.dataset.csrf,
                  "Accept": "application/json"}
      }).then(function (r) {
        return r.json().then(function (answer) { return {ok: r.ok, status: r.status, answer: answer}; });
      }).then(function (res) {
        if (res.ok) {
          version.value = String(res.answer.version);
          lastSaved = body;
          status.dataset.enregistre = body;  // ce que le serveur a enregistré (lu par les tests)
          show(res.answer.message, false);
        } else if (res.status === 409) {
          stopped = true;  // plus d'enregistrement automatique : la personne choisit
          show(res.answer.message, true);
        } else {
          show(res.answer.message || "Brouillon non enregistré automatiquement : enregistrez-le avec le bouton.", false);
        }
      }).catch(function () {
        show("Brouillon non enregistré automatiquement (connexion interrompue) : enregistrez-le avec le bouton.", false);
      }).then(function () {
        inFlight = false;
        if (waitingSubmit) {
          var button = waitingSubmit;
          waitingSubmit = null;
          submitting = true;
          draft.requestSubmit(button);
        } else if (serialize() !== lastSaved && !stopped) {
          saveTimer = window.setTimeout(save, 1500);
        }
      });
    };
    var later = function () {
      if (saveTimer) { window.clearTimeout(saveTimer); }
      saveTimer = window.setTimeout(save, 1500);
    };
    draft.addEventListener("input", later);
    draft.addEventListener("change", later);
    draft.addEventListener("submit", function (event) {
      if (saveTimer) { window.clearTimeout(saveTimer); saveTimer = null; }
      if (inFlight) {  // the version the page sends must be the one this save is writing
        event.preventDefault();
        waitingSubmit = event.submitter || draft.querySelector("button[value=enregistrer]");
        return;
      }
      submitting = true;
    });
  }

  var summary = document.getElementById("resume-erreurs");
  if (summary) { summary.focus(); }
})();
