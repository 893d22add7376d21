// Progressive enhancement for survey pages: a question whose condition depends on an answer on the same page is
// shown or hidden as soon as that answer changes. Without this file the question shows with a hint, and the server
// applies the same rule when the page is sent (its answer is ignored when the condition is not met).
(function () {
  'use strict';

  function answerOf(form, questionId) {
    var fields = form.querySelectorAll('[name="q_' + questionId + '"]');
    var values = [];
    Array.prototype.forEach.call(fields, function (field) {
      if ((field.type === 'radio' || field.type === 'checkbox') && !field.checked) return;
      if (field.value !== '') values.push(field.value);
    });
    return values;
  }

  function normalise(text) {
    return String(text).trim().toLocaleLowerCase();
  }

  function meets(condition, values) {
    if (!values.length) return false;
    var wanted = condition.values.map(normalise);
    var given = values.map(normalise);
    if (condition.operator === 'equals') {
      return (
        given.length === wanted.length &&
        wanted.every(function (v) {
          return given.indexOf(v) !== -1;
        })
      );
    }
    if (condition.operator === 'contains') {
      if (given.length === 1) {
        return wanted.every(function (v) {
          return given[0].indexOf(v) !== -1;
        });
      }
      return wanted.every(function (v) {
        return given.indexOf(v) !== -1;
      });
    }
    return wanted.some(function (v) {
      return given.indexOf(v) !== -1;
    });
  }

  function update(form) {
    Array.prototype.forEach.call(form.querySelectorAll('[data-show-if]'), function (question) {
      var condition;
      try {
        condition = JSON.parse(question.getAttribute('data-show-if'));
      } catch {
        return;
      }
      var show = meets(condition, answerOf(form, condition.question));
      question.hidden = !show;
      var hint = question.querySelector('.survey-question__condition');
      if (hint) hint.hidden = true;
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    var form = document.querySelector('[data-survey-form]');
    if (!form) return;
    update(form);
    form.addEventListener('change', function () {
      update(form);
    });
    form.addEventListener('input', function () {
      update(form);
    });
  });
})();
