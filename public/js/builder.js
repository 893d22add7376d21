// Progressive enhancement for the survey builder's "show only if" fields: choosing an earlier question shows its
// answers at once. Without this file, the "Show its answers" button sends the form back with them.
(function () {
  'use strict';
  function update(container) {
    var select = container.querySelector('[data-condition-question]');
    if (!select) return;
    Array.prototype.forEach.call(container.querySelectorAll('[data-condition-for]'), function (group) {
      var active = group.getAttribute('data-condition-for') === select.value;
      group.hidden = !active;
      group.disabled = !active;
    });
  }
  document.addEventListener('DOMContentLoaded', function () {
    Array.prototype.forEach.call(document.querySelectorAll('[data-condition]'), function (container) {
      var refresh = container.querySelector('[data-condition-refresh]');
      if (refresh) refresh.hidden = true;
      var select = container.querySelector('[data-condition-question]');
      if (select) {
        select.addEventListener('change', function () {
          update(container);
        });
      }
    });
  });
})();
