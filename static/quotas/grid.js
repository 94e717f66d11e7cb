// partytrack quotas: the allocation grid behaves like a spreadsheet (Tab/Enter/arrows move between
// cells, a block copied from Excel pastes across rows and columns) and shows row, group and grand
// totals and per-row errors as you type. The server checks everything again on save.
"use strict";

(function () {
  function parseCell(text) {
    var t = String(text || "").replace(/[\s\u00a0]/g, "");
    if (t === "" || t === "-" || t === "—" || t === "–") return { empty: true, value: null };
    if (/^\d{1,3}(\.\d{3})+$/.test(t)) t = t.replace(/\./g, "");
    if (!/^\d+$/.test(t)) return { bad: true, value: null };
    return { value: parseInt(t, 10) };
  }

  function format(n) {
    return n.toLocaleString("vi-VN");
  }

  function setupGrid(table) {
    var rows = Array.prototype.slice.call(table.querySelectorAll("tr.quota-row, tr.term-row"));
    var matrix = rows.map(function (row) {
      return Array.prototype.slice.call(row.querySelectorAll("input[data-col]"));
    });
    if (!matrix.length || !matrix[0].length) return;
    var isTerm = table.classList.contains("term-grid");
    var msg = table.dataset;
    var form = table.closest("form");
    var submitting = false;

    function position(input) {
      for (var r = 0; r < matrix.length; r++) {
        var c = matrix[r].indexOf(input);
        if (c !== -1) return { r: r, c: c };
      }
      return null;
    }

    function focusCell(r, c) {
      if (r < 0 || r >= matrix.length) return;
      var cell = matrix[r][Math.max(0, Math.min(c, matrix[r].length - 1))];
      if (cell) {
        cell.focus();
        cell.select();
      }
    }

    function checkRow(row, inputs) {
      var values = inputs.map(function (input) { return parseCell(input.value); });
      var problems = [];
      if (values.some(function (v) { return v.bad; })) problems.push(msg.msgNumber);
      if (!isTerm && !problems.length) {
        var quarters = values.slice(1);
        var given = quarters.filter(function (v) { return !v.empty; }).length;
        if (given > 0 && given < 4) problems.push(msg.msgPartial);
        if (given === 4) {
          var sum = quarters.reduce(function (a, v) { return a + v.value; }, 0);
          if (values[0].empty || values[0].value !== sum) {
            problems.push(msg.msgQuarters + " (" + quarters.map(function (v) { return v.value; }).join(" + ") +
              " = " + sum + (values[0].empty ? "" : " ≠ " + values[0].value) + ")");
          }
        }
      }
      var box = row.querySelector(".row-msg");
      if (box && (problems.length || row.dataset.live === "1" || !box.querySelector(".error"))) {
        box.textContent = problems.join("; ");
        box.classList.toggle("error", problems.length > 0);
        row.dataset.live = "1";
      }
      row.classList.toggle("bad", problems.length > 0);
      inputs.forEach(function (input) {
        input.classList.toggle("changed", input.value !== input.defaultValue);
        input.classList.toggle("invalid", !!parseCell(input.value).bad);
      });
      if (isTerm) {
        var termCell = row.querySelector("[data-term-total]");
        if (termCell) {
          var term = values.reduce(function (a, v) { return a + (v.value || 0); }, 0);
          termCell.textContent = format(term);
        }
      }
      return values;
    }

    function recalc() {
      var columns = matrix[0].length;
      var grand = new Array(columns).fill(0);
      var grandUsed = new Array(columns).fill(false);
      var changed = 0;
      var counts = { counted: 0, split: 0 };
      Array.prototype.forEach.call(table.tBodies, function (body) {
        var sums = new Array(columns).fill(0);
        var used = new Array(columns).fill(false);
        var counted = 0, split = 0; // rows with a total, and those of them split into four quarters
        Array.prototype.forEach.call(body.querySelectorAll("tr.quota-row, tr.term-row"), function (row) {
          var inputs = matrix[rows.indexOf(row)];
          var values = checkRow(row, inputs);
          values.forEach(function (v, i) {
            if (v.value !== null) {
              sums[i] += v.value; used[i] = true;
              grand[i] += v.value; grandUsed[i] = true;
            }
          });
          if (values[0].value !== null) {
            counted++;
            if (values.slice(1).every(function (v) { return v.value !== null; })) split++;
          }
          inputs.forEach(function (input) { if (input.value !== input.defaultValue) changed++; });
        });
        counts.counted += counted; counts.split += split;
        // Quarter sums only when every counted row is split (5 as 1/2/2/0 and 4 unsplit are not quarters of 9).
        var quartersMean = isTerm || (split > 0 && split === counted);
        sums.forEach(function (s, i) {
          var cell = body.querySelector('[data-sum="' + i + '"]');
          if (cell) cell.textContent = i === 0 || (used[i] && quartersMean) ? format(s) : "";
        });
        var termSum = body.querySelector("[data-sum-term]");
        if (termSum) termSum.textContent = format(sums.reduce(function (a, b) { return a + b; }, 0));
      });
      var grandMeans = isTerm || (counts.split > 0 && counts.split === counts.counted);
      grand.forEach(function (s, i) {
        var cell = table.querySelector('[data-total="' + i + '"]');
        if (cell) cell.textContent = i === 0 || (grandUsed[i] && grandMeans) ? format(s) : "";
      });
      var termTotal = table.querySelector("[data-total-term]");
      if (termTotal) termTotal.textContent = format(grand.reduce(function (a, b) { return a + b; }, 0));
      var running = 0;
      for (var q = 1; q <= 4; q++) {
        var cum = table.querySelector('[data-cum="' + q + '"]');
        running += grand[q] || 0;
        if (cum && !grandMeans) {
          cum.textContent = "";
        } else if (cum) {
          var share = grand[0] ? (running * 100 / grand[0]).toLocaleString("vi-VN", { minimumFractionDigits: 1, maximumFractionDigits: 1 }) + "%" : "—";
          cum.textContent = format(running) + " ";
          var small = document.createElement("small");
          small.textContent = share;
          cum.appendChild(document.createElement("br"));
          cum.appendChild(small);
        }
      }
      warn(grandUsed[0] ? grand[0] : null);
      var counter = document.getElementById("changed-count");
      if (counter) counter.textContent = changed ? (msg.msgChanged || "%s").replace("%s", changed) : "";
      form.dataset.changed = changed ? "1" : "";
    }

    function warn(total) {
      var box = document.getElementById("live-warnings");
      if (!box || isTerm) return;
      var lines = [];
      if (total === null) {
        box.hidden = true; // nothing allocated yet: nothing to compare
        return;
      }
      if (msg.target !== "" && total !== parseInt(msg.target, 10)) {
        var diff = total - parseInt(msg.target, 10);
        lines.push(msg.msgTarget + " (" + (msg.targetMinimum ? "≥ " : "") + format(parseInt(msg.target, 10)) + "): " +
          (diff > 0 ? "+" : "") + format(diff));
      }
      if (msg.own !== "" && total !== parseInt(msg.own, 10)) {
        var d = total - parseInt(msg.own, 10);
        lines.push(msg.msgOwn + " (" + format(parseInt(msg.own, 10)) + "): " + (d > 0 ? "+" : "") + format(d));
      }
      box.textContent = lines.join(" · ");
      box.hidden = lines.length === 0;
      var server = document.getElementById("server-warnings");
      if (server) server.hidden = true;
    }

    table.addEventListener("keydown", function (event) {
      var input = event.target;
      if (!input.matches || !input.matches("input[data-col]")) return;
      var at = position(input);
      if (!at) return;
      if (event.key === "Enter") {
        event.preventDefault(); // Enter moves down like a spreadsheet; the button saves
        focusCell(at.r + (event.shiftKey ? -1 : 1), at.c);
      } else if (event.key === "ArrowDown") {
        event.preventDefault(); focusCell(at.r + 1, at.c);
      } else if (event.key === "ArrowUp") {
        event.preventDefault(); focusCell(at.r - 1, at.c);
      } else if (event.key === "ArrowRight" && input.selectionStart === input.value.length) {
        event.preventDefault(); focusCell(at.r, at.c + 1);
      } else if (event.key === "ArrowLeft" && input.selectionEnd === 0) {
        event.preventDefault(); focusCell(at.r, at.c - 1);
      }
    });

    table.addEventListener("paste", function (event) {
      var input = event.target;
      if (!input.matches || !input.matches("input[data-col]")) return;
      var text = (event.clipboardData || window.clipboardData).getData("text");
      if (!/[\t\n]/.test(text.replace(/\r?\n$/, ""))) return; // one value: let the browser paste it
      event.preventDefault();
      var at = position(input);
      var lines = text.replace(/\r/g, "").replace(/\n$/, "").split("\n");
      lines.forEach(function (line, i) {
        var cells = line.split("\t");
        var target = matrix[at.r + i];
        if (!target) return;
        cells.forEach(function (value, j) {
          var cell = target[at.c + j];
          if (cell && !cell.readOnly) cell.value = value.trim();
        });
      });
      recalc();
    });

    table.addEventListener("input", recalc);
    table.addEventListener("focusin", function (event) {
      if (event.target.matches && event.target.matches("input[data-col]")) event.target.select();
    });
    form.addEventListener("submit", function () { submitting = true; });
    window.addEventListener("beforeunload", function (event) {
      if (form.dataset.changed && !submitting) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
    recalc();
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("table.quota-grid, table.term-grid"), setupGrid);
  });
})();
