/* Counts down to a deadline: <span data-module="datathon-countdown"
   data-module-until="2024-09-15T23:59:59+00:00">...</span> */
this.ckan.module("datathon-countdown", function ($) {
  return {
    options: { until: null },
    initialize: function () {
      this.until = new Date(this.options.until);
      if (isNaN(this.until.getTime())) { return; }
      this._tick = this._tick.bind(this);
      this._tick();
      this.timer = window.setInterval(this._tick, 60000);
    },
    teardown: function () { window.clearInterval(this.timer); },
    _tick: function () {
      var ms = this.until.getTime() - Date.now();
      if (ms <= 0) {
        this.el.text(this._("Closed"));
        window.clearInterval(this.timer);
        return;
      }
      var days = Math.floor(ms / 86400000);
      var hours = Math.floor((ms % 86400000) / 3600000);
      var minutes = Math.floor((ms % 3600000) / 60000);
      this.el.text(this._("%(days)s d %(hours)s h %(minutes)s min left",
        { days: days, hours: hours, minutes: minutes }));
    }
  };
});

/* The resources of one datasets_used entry: only the group of the dataset
   chosen in the same entry is offered; the others are hidden, disabled (not
   sent) and unselected. */
this.ckan.module("datathon-resource-choices", function ($) {
  return {
    initialize: function () {
      var entry = this.el.closest(".scheming-subfield-group");
      this.dataset = entry.find("select[name$='-dataset']");
      this._filter = this._filter.bind(this);
      this.dataset.on("change", this._filter);
      this._filter();
    },
    _filter: function () {
      var chosen = this.dataset.val();
      this.el.find("optgroup").each(function () {
        var group = $(this);
        var mine = group.attr("data-dataset") === chosen;
        group.prop("hidden", !mine).prop("disabled", !mine);
        if (!mine) { group.find("option").prop("selected", false); }
      });
    }
  };
});
