// The CX dashboard's only script: draws the figures the page carries (built when the site was built)
// and shows the traces a filter chooses. No request leaves the page: every figure is in it.
(function () {
  "use strict";
  var config = { displaylogo: false, responsive: true };

  function show(gd, key) {
    var visible = gd.data.map(function (t) { return t.meta === undefined || t.meta === key; });
    var note = document.querySelector('[data-empty-for="' + gd.id + '"]');
    if (note) { note.hidden = gd.data.some(function (t) { return t.meta === key; }); }
    return Plotly.restyle(gd, { visible: visible });
  }

  var drawn = Array.prototype.map.call(
    document.querySelectorAll('script[type="application/json"][data-figure]'),
    function (source) {
      var fig = JSON.parse(source.textContent);
      return Plotly.newPlot(document.getElementById(source.dataset.figure), fig.data, fig.layout, config);
    }
  );

  Array.prototype.forEach.call(document.querySelectorAll("form[data-filters-for]"), function (form) {
    var gd = document.getElementById(form.dataset.filtersFor);
    var selects = form.querySelectorAll("select");
    form.addEventListener("change", function () {
      var key = Array.prototype.map.call(selects, function (s) { return s.value; }).join("|");
      document.body.dataset.ready = "";
      show(gd, key).then(function () { document.body.dataset.ready = "1"; });
    });
  });

  Promise.all(drawn).then(function () { document.body.dataset.ready = "1"; });
})();
