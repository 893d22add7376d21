// Progressive enhancement of the flood challenge: find a counter whose SHA-256 with the page's token starts with
// the required number of zero bits (a second or two of this browser's time, nothing for a person), put it in the
// form and send it. Without this file, or without Web Crypto, the person answers the sum instead; meanwhile the
// question stays usable, and answering it first wins.
(function () {
  'use strict';

  var form = document.querySelector('[data-challenge]');
  if (!form || !window.crypto || !window.crypto.subtle || !window.TextEncoder) return;
  var bits = Number(form.getAttribute('data-pow-bits'));
  var token = form.getAttribute('data-token');
  var field = form.querySelector('[data-pow]');
  var status = form.querySelector('[data-pow-status]');
  if (!bits || !token || !field) return;
  var encoder = new TextEncoder();
  var sent = false;
  form.addEventListener('submit', function () {
    sent = true;
  });
  if (status) status.hidden = false;

  function zeroBits(buffer) {
    var bytes = new Uint8Array(buffer);
    var count = 0;
    for (var i = 0; i < bytes.length; i += 1) {
      if (bytes[i] === 0) {
        count += 8;
        continue;
      }
      var b = bytes[i];
      while ((b & 0x80) === 0) {
        count += 1;
        b <<= 1;
      }
      return count;
    }
    return count;
  }

  function tryFrom(counter) {
    if (sent) return;
    var batch = [];
    for (var i = 0; i < 256; i += 1) batch.push(counter + i);
    Promise.all(
      batch.map(function (n) {
        return window.crypto.subtle.digest('SHA-256', encoder.encode(token + ':' + n));
      }),
    ).then(function (digests) {
      for (var j = 0; j < digests.length; j += 1) {
        if (zeroBits(digests[j]) >= bits) {
          if (sent) return;
          field.value = String(batch[j]);
          sent = true;
          form.submit();
          return;
        }
      }
      window.setTimeout(function () {
        tryFrom(counter + 256);
      }, 0);
    });
  }
  tryFrom(0);
})();
