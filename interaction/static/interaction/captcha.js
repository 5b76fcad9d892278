// 换一张: a new CAPTCHA picture without losing what the citizen has typed. A static file, as the
// public Content-Security-Policy (script-src 'self') requires; without it the form still works:
// a wrong answer is refused and the page comes back with a new picture and the text kept.
(function () {
  "use strict";
  document.querySelectorAll("[data-captcha-renew]").forEach(function (button) {
    var form = button.form;
    var image = form.querySelector(".ia-captcha img");
    var token = form.querySelector("input[name=captcha_token]");
    var answer = form.querySelector("input[name=captcha]");
    var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
    var status = form.querySelector("[data-captcha-status]");
    button.hidden = false;
    button.addEventListener("click", function () {
      var body = new FormData();
      body.append("captcha_token", token.value);
      body.append("csrfmiddlewaretoken", csrf.value);
      button.disabled = true;
      fetch(button.getAttribute("data-captcha-renew"), { method: "POST", body: body, credentials: "same-origin" })
        .then(function (response) {
          return response.json().then(function (data) {
            if (!response.ok) {
              throw new Error(data.error || "换图失败，请稍后再试。");
            }
            token.value = data.token;
            image.src = data.url;
            answer.value = "";
            answer.focus();
            status.textContent = "已换一张新的验证码图片。";
          });
        })
        .catch(function (error) {
          status.textContent = error.message;
        })
        .finally(function () {
          button.disabled = false;
        });
    });
  });
})();
